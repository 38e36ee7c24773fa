"""A shared package for the tests."""
