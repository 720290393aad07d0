#!/usr/bin/env python3
"""A socket-lesson server, as lessons write them: one client, bare text with no
newline, one recv() per message, until the client says bye.

usage: lesson_server.py ENCODING REPLY
Listens on 127.0.0.1 on a free port and prints "listening on 127.0.0.1:PORT";
greets with 天王盖地虎, answers each message with REPLY, prints "got: ..." lines.
"""
import socket
import sys


def main():
    encoding, reply = sys.argv[1], sys.argv[2]
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(10)
        print("listening on 127.0.0.1:%d" % server.getsockname()[1], flush=True)
        conn, _ = server.accept()
        with conn:
            conn.settimeout(10)
            conn.sendall("天王盖地虎".encode(encoding))
            while True:
                data = conn.recv(1024)
                if not data:
                    return 1
                text = data.decode(encoding, errors="replace").strip()
                print("got: " + text, flush=True)
                if text == "bye":
                    return 0
                conn.sendall(reply.encode(encoding))


if __name__ == "__main__":
    sys.exit(main())
