"""Tests of ``textbook/figures/``."""
