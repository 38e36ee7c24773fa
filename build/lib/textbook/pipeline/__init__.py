"""The build pipeline behind ``textbook build``: layout, freshness, Sphinx and LaTeX runs, publishing, failures."""
