V = "naïve ünïcode"
