"""Executing the chapters: ahead of Sphinx's reading, one per core, keyed by the shared code they run."""
