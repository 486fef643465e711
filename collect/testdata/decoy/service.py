# Same name as a container file: suffix matching alone cannot tell
# which host file /srv/service.py is; the image mapping the push carries can.
