x = b'cafÃ©'
