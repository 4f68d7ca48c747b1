"""Excel add-in: xlwings entry points that call the same core as the command line."""
