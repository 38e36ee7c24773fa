"""The book's running example: one small tabular model, one layer per module.

Every chapter imports what it needs from here, so that all of them use the
same data, the same split, the same model recipe and the same names in
MLflow. A chapter never relies on another chapter having run: when it needs
an earlier module's state (a registered champion, say), it rebuilds it with
these functions, quickly and always the same way.
"""
