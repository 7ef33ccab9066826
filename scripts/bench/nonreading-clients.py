#!/usr/bin/env python3
"""Clients that pipeline Health requests and never read their answers (docs/BENCHMARKS.md).

Opens CONNECTIONS connections to 127.0.0.1:PORT, writes 8-byte Health frames on each as
fast as the kernel takes them for SECONDS, reading nothing, then closes them all and exits.
Prints how many bytes it managed to send. Loopback only; bounded in time and count.

    nonreading-clients.py PORT [CONNECTIONS] [SECONDS]
"""
import selectors
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
    # Request{id: 1, health: {}}: 08 01 52 00, framed.
    frame = b"\x00\x00\x00\x04\x08\x01\x52\x00"
    chunk = frame * 2048
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_WRITE)
        socks.append(s)
    sent = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.1):
            try:
                sent += key.fileobj.send(chunk)
            except BlockingIOError:
                pass
            except OSError:
                sel.unregister(key.fileobj)
    for s in socks:
        s.close()
    print(f"sent_bytes {sent}")


if __name__ == "__main__":
    main()
