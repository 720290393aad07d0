#!/usr/bin/env python3
"""A socket-lesson chat-room client, as lessons write them: connect, print whatever
arrives, sendall(text.encode()) with no newline.

usage: chat_client.py HOST PORT ENCODING MESSAGE UNTIL
Prints every line that arrives. Sends MESSAGE once the server has said who is on the
channel, then "bye" once a line containing UNTIL has arrived; exits 0 when the server
then closes, 1 if it closes first.
"""
import socket
import sys


def main():
    host, port, encoding, message, until = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    with socket.create_connection((host, port), timeout=10) as sock:
        pending = b""
        sent = False
        while True:
            data = sock.recv(4096)
            if not data:
                return 1
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode(encoding, errors="replace").rstrip("\r")
                print(text, flush=True)
                if text.startswith("intercom channel: ") and not sent:
                    sock.sendall(message.encode(encoding))
                    sent = True
                elif sent and until in text:
                    sock.sendall(b"bye")
                    rest = sock.recv(4096)  # the server closes: b""
                    return 0 if rest == b"" else 1


if __name__ == "__main__":
    sys.exit(main())
