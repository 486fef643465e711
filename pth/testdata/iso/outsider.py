o = "outsider"
