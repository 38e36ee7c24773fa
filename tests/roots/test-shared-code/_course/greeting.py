from . import words

GREETING = f"hello from the {words.SHARED} code"
