import sys
sys.path.insert(0, "src")
import app.core
import app.util.strings
import app.legacy

app.core.go()
app.util.strings.shout("x")
