# Runs with the wrong token: none of this may reach the report.
print("evil")  # never
