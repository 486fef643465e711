# pragma: no cover
import os
x = (1,
     2)
