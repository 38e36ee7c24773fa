OTHER = "used by no chapter"
