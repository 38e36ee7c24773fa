"""Tests of ``textbook/sphinx_ext/``."""
