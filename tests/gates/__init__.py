"""Tests of ``textbook/gates/``."""
