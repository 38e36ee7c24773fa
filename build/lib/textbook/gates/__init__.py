"""Quality gates run on finished editions: the leak scan, the print gate, the web gate."""
