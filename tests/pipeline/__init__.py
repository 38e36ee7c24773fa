"""Tests of ``textbook/pipeline/``."""
