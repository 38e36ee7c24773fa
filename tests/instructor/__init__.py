"""Tests of ``textbook/instructor/``."""
