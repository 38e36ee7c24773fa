GREETING = "hello from the shared code"
