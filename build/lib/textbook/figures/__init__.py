"""Figures drawn by scripts in ``figures_src/``: which are stale, the worker that draws them, the directive."""
