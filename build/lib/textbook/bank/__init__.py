"""The exercise bank, Sphinx-free: reading and validating ``exercises/``, the exercises' content,
their grading rules, parameters and objective coverage. Built on ``textbook.core`` only."""
