#!/usr/bin/env python3
"""A socket-lesson client, as lessons write them: sendall(text.encode()) with no
newline, one recv() per answer.

usage: lesson_client.py HOST PORT ENCODING MESSAGE... (the last is usually "bye")
Prints "greeting: ..." and "reply: ..." lines; exits 0 when the server closes after bye.
"""
import socket
import sys


def recv_text(sock, encoding):
    data = sock.recv(4096)
    return data.decode(encoding, errors="replace").rstrip("\r\n")


def main():
    host, port, encoding = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    messages = sys.argv[4:]
    with socket.create_connection((host, port), timeout=10) as sock:
        print("greeting: " + recv_text(sock, encoding), flush=True)
        for text in messages:
            sock.sendall(text.encode(encoding))
            if text == "bye":
                rest = sock.recv(4096)  # the server closes: b""
                return 0 if rest == b"" else 1
            print("reply: " + recv_text(sock, encoding), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
