#!/usr/bin/env python3
"""Idle proxied connections for the RSS check of bench/compare.sh.

  idle_conns.py sink --port P
      an echo service that holds every connection open until the peer closes it
  idle_conns.py hold --port P --count N --pids A,B --names server,client [--hold S]
      opens N connections to P (a tunnel's published port in front of the sink), proves each one
      with a one-byte echo, holds them S seconds, then prints "<metric>\t<value>" lines with
      VmRSS and VmHWM (MB) of each pid, and closes them. Exits 1 if any connection failed.
"""
import argparse
import asyncio
import socket
import sys
import time


async def sink(port):
    async def echo(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def status_mb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def hold(args):
    socks = []
    failed = 0
    for i in range(args.count):
        try:
            s = socket.create_connection(("127.0.0.1", args.port), timeout=10)
            socks.append(s)
        except OSError as e:
            failed += 1
            print(f"connect {i}: {e}", file=sys.stderr)
    # Prove every connection end to end (the tunnel connects to the sink lazily).
    for i, s in enumerate(socks):
        try:
            s.sendall(b"x")
        except OSError:
            failed += 1
    for s in socks:
        try:
            if s.recv(1) != b"x":
                failed += 1
        except OSError:
            failed += 1
    time.sleep(args.hold)
    for pid, name in zip(args.pids.split(","), args.names.split(",")):
        print(f"idle_rss_{name}_mb\t{status_mb(pid, 'VmRSS'):.0f}")
        print(f"idle_hwm_{name}_mb\t{status_mb(pid, 'VmHWM'):.0f}")
    print(f"idle_conns_ok\t{len(socks) - failed}")
    print(f"idle_conns_failed\t{failed}")
    for s in socks:
        s.close()
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sink")
    s.add_argument("--port", type=int, required=True)
    h = sub.add_parser("hold")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--sink-port", type=int)
    h.add_argument("--count", type=int, default=1000)
    h.add_argument("--pids", required=True)
    h.add_argument("--names", required=True)
    h.add_argument("--hold", type=float, default=3.0)
    args = p.parse_args()
    if args.cmd == "sink":
        try:
            asyncio.run(sink(args.port))
        except KeyboardInterrupt:
            pass
        return 0
    return hold(args)


if __name__ == "__main__":
    sys.exit(main())
