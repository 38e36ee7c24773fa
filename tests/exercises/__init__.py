"""Tests of ``textbook/exercises/``."""
