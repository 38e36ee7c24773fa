"""Tests of ``textbook/core/``."""
