#!/usr/bin/env python3
"""A listener that never accepts, its queue full: connections to it get no answer at
all, as with a host that has gone away. Prints "listening on 127.0.0.1:PORT", keeps
its queue full with connections of its own, and ends after 60 s or on SIGTERM."""
import socket
import time

with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):  # the queue holds backlog+1; what is beyond it waits in SYN_SENT
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    print("listening on 127.0.0.1:%d" % port, flush=True)
    time.sleep(60)
