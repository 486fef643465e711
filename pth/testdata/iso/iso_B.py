b = "B"
