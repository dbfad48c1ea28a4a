#!/usr/bin/env python3
"""Load generator and echo service of the scale run (bench/scale.sh).

  scale.py echo --port P
      echo service: returns every byte it reads, holds connections until the peer closes
  scale.py load --port P --count N [--payload BYTES] [--rounds R] [--pids A,B --names x,y]
      opens N connections to P and holds them all open at once; then on every connection at the
      same time sends R random payloads, reads each echo back and compares SHA-256 digests; prints
      a report (counts, errors, memory of the given pids) and exits 1 on any error.
"""
import argparse
import asyncio
import hashlib
import os
import sys
import time


async def echo(port):
    async def handle(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096, limit=65536)
    async with server:
        await server.serve_forever()


def mem(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k = line.split(":")[0]
                if k in ("VmRSS", "VmHWM", "Threads"):
                    out[k] = int(line.split()[1])
        with open(f"/proc/{pid}/limits"):
            pass
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return out


def report_mem(args, when):
    if not args.pids:
        return
    for pid, name in zip(args.pids.split(","), args.names.split(",")):
        m = mem(pid)
        print(
            f"  {name:<7} {when:<22} RSS {m.get('VmRSS', 0) / 1024:7.1f} MB  peak {m.get('VmHWM', 0) / 1024:7.1f} MB"
            f"  threads {m.get('Threads', 0):3d}  fds {m.get('fds', 0)}",
            flush=True,
        )


async def load(args):
    errors = []
    conns = []
    sem = asyncio.Semaphore(args.connect_concurrency)

    async def connect(i):
        async with sem:
            try:
                r, w = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", args.port, limit=1 << 20), 30
                )
                conns.append((r, w))
            except (OSError, asyncio.TimeoutError) as e:
                errors.append(f"connect {i}: {e!r}")

    t0 = time.monotonic()
    await asyncio.gather(*(connect(i) for i in range(args.count)))
    t_connect = time.monotonic() - t0
    print(f"connected {len(conns)}/{args.count} in {t_connect:.1f}s ({len(errors)} failed)", flush=True)
    await asyncio.sleep(args.settle)
    report_mem(args, "all connected (idle)")

    checked = 0
    bytes_moved = 0

    async def exchange(i, r, w):
        nonlocal checked, bytes_moved
        try:
            for _ in range(args.rounds):
                payload = os.urandom(args.payload)
                want = hashlib.sha256(payload).digest()
                w.write(payload)
                await w.drain()
                got = await asyncio.wait_for(r.readexactly(args.payload), args.timeout)
                if hashlib.sha256(got).digest() != want:
                    errors.append(f"stream {i}: checksum mismatch")
                    return
                checked += 1
                bytes_moved += 2 * args.payload
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
            errors.append(f"stream {i}: {e!r}")

    t1 = time.monotonic()
    await asyncio.gather(*(exchange(i, r, w) for i, (r, w) in enumerate(conns)))
    t_xfer = time.monotonic() - t1
    report_mem(args, "after the payloads")
    for _, w in conns:
        w.close()
    print(
        f"payloads: {checked} checksummed round trips of {args.payload} B on {len(conns)} streams "
        f"open at once, {bytes_moved / 1e6:.0f} MB through the tunnel in {t_xfer:.1f}s",
        flush=True,
    )
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print(f"  {e}")
    return 1 if errors or len(conns) < args.count else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("echo")
    e.add_argument("--port", type=int, required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--port", type=int, required=True)
    lo.add_argument("--count", type=int, default=10000)
    lo.add_argument("--payload", type=int, default=16384)
    lo.add_argument("--rounds", type=int, default=2)
    lo.add_argument("--connect-concurrency", type=int, default=256)
    lo.add_argument("--timeout", type=float, default=120)
    lo.add_argument("--settle", type=float, default=2)
    lo.add_argument("--pids", default="")
    lo.add_argument("--names", default="")
    args = p.parse_args()
    if args.cmd == "echo":
        try:
            asyncio.run(echo(args.port))
        except KeyboardInterrupt:
            pass
        return 0
    return asyncio.run(load(args))


if __name__ == "__main__":
    sys.exit(main())
