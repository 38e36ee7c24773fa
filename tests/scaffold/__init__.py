"""Tests of ``textbook/scaffold/``."""
