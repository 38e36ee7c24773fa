"""Tests of ``textbook/execution/``."""
