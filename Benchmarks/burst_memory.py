"""Memory of `pulk serve` under a burst of unfinished large bodies, and after they close.

Usage: start `pulk serve MODEL --port PORT`, then `python3 Benchmarks/burst_memory.py PORT`.
Opens 40 connections that each send 15 MB of a 15 MiB scoring body and stop, prints the server's
resident memory before, during and after (2 s and 13 s after the clients close: the server returns
free heap pages every 10 s, see Sources/PulkServing/MemoryReturn.swift).
"""
import socket
import subprocess
import sys
import time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
pid = subprocess.check_output(["pgrep", "-f", "pulk serve"]).split()[0].decode()


def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS")).split()[1]) // 1024


print("before", rss_mb(), "MB")
chunk = b"[" + b"1," * (1 << 20)
clients = []
for _ in range(40):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 15728640\r\n\r\n")
    sent = 0
    while sent < 15_000_000:
        s.sendall(chunk)
        sent += len(chunk)
    clients.append(s)
time.sleep(1)
print("40 unfinished 15 MiB bodies", rss_mb(), "MB")
for s in clients:
    s.close()
time.sleep(2)
print("2 s after they closed", rss_mb(), "MB")
time.sleep(11)
print("13 s after they closed", rss_mb(), "MB")
