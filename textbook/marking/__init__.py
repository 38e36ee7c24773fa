"""Marking students' work: ``textbook grade`` runs their answers to code exercises against the checks,
each in a sandbox of its own, and writes grades and feedback."""
