"""``textbook new``: a new course that builds every edition at once, from the files in ``template/``."""
