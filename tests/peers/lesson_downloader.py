#!/usr/bin/env python3
"""The lesson's file downloader (文件下载器), as the exercise writes it: send the bare
file name with no line end, read until the server closes, write everything to a file.

usage: lesson_downloader.py HOST PORT NAME OUTPUT
Exits 0 with the file written; prints how many bytes came.
"""
import socket
import sys


def main():
    host, port, name, output = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(name.encode("utf-8"))
        received = bytearray()
        while True:
            data = sock.recv(65536)
            if not data:
                break
            received += data
    with open(output, "wb") as f:
        f.write(received)
    print("received %d bytes" % len(received), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
