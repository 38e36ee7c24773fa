"""Tests of ``textbook/bank/``."""
