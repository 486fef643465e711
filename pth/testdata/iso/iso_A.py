a = "A"
