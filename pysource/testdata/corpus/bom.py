# -*- coding: utf-8 -*-
x = 'café'
y = 2
