"""The Sphinx extension's own parts: setup, front matter, numbering, handouts, downloads, math.

``extension.setup`` wires them into Sphinx's events; ``textbook.setup`` calls it.
"""
