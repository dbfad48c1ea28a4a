#!/usr/bin/env python3
"""Prints the table of bench/compare.sh from its results.tsv (run, path, metric, value).

Each figure is the median over the runs; each ratio is tls-tunnel's ratio to the other path
computed within one run, then the median over the runs.
"""
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

PATHS = ["direct", "stunnel", "ssh", "go-yamux", "tls-tunnel"]
NAMES = {"direct": "direct", "stunnel": "stunnel", "ssh": "ssh -R", "go-yamux": "go-yamux",
         "tls-tunnel": "tls-tunnel"}
OTHERS = ["direct", "stunnel", "ssh", "go-yamux"]  # the paths tls-tunnel is divided by
FORWARDING = ["stunnel", "ssh", "go-yamux", "tls-tunnel"]  # paths with forwarding processes
METRICS = [
    ("iperf1_gbps", "iperf3, 1 stream (Gbit/s)", True),
    ("iperf8_gbps", "iperf3, 8 streams (Gbit/s)", True),
    ("rps_keepalive", "wrk keep-alive, 50 conns (req/s)", True),
    ("rps_close", "wrk Connection: close, 50 conns (req/s)", True),
    ("p50_us", "latency p50, 1 conn (µs)", False),
    ("p99_us", "latency p99, 1 conn (µs)", False),
]
# The tunnel's transports (tls on the default socket transport first: io_uring where it loads),
# compared with its tls path in the same run: wss and h2 below yamux, and tls on the NIO, epoll and
# io_uring socket transports.
TRANSPORTS = [
    ("tls-tunnel", "tls"),
    ("tls-tunnel-wss", "wss"),
    ("tls-tunnel-h2", "h2"),
    ("tls-tunnel-nio", "nio"),
    ("tls-tunnel-epoll", "epoll"),
    ("tls-tunnel-io_uring", "io_uring"),
]
# (metric, transport path, bound of its ratio to tls, label)
TRANSPORT_TARGETS = [
    ("iperf1_gbps", "tls-tunnel-wss", 0.8, "wss 1-stream throughput ≥ 0.8× tls"),
    ("iperf1_gbps", "tls-tunnel-h2", 0.7, "h2 1-stream throughput ≥ 0.7× tls"),
]
# (metric, other path, bound, higher is better, label)
TARGETS = [
    ("iperf1_gbps", "stunnel", 1.0, True, "1-stream throughput ≥ 1.0× stunnel"),
    ("iperf1_gbps", "ssh", 1.5, True, "1-stream throughput ≥ 1.5× ssh -R"),
    ("iperf8_gbps", "ssh", 1.5, True, "8-stream throughput ≥ 1.5× ssh -R"),
    ("rps_keepalive", "ssh", 1.5, True, "keep-alive req/s ≥ 1.5× ssh -R"),
    ("rps_close", "ssh", 1.0, True, "new connections/s ≥ 1.0× ssh -R"),
    ("p50_us", "stunnel", 1.2, False, "p50 latency ≤ 1.2× stunnel"),
    ("p99_us", "stunnel", 1.5, False, "p99 latency, 1 idle conn ≤ 1.5× stunnel"),
    ("iperf1_gbps", "go-yamux", 2.0, True, "1-stream throughput ≥ 2× go-yamux"),
    ("rps_keepalive", "go-yamux", 1.5, True, "keep-alive req/s ≥ 1.5× go-yamux"),
    ("rps_close", "go-yamux", 1.5, True, "new connections/s ≥ 1.5× go-yamux"),
]
# (metric, bound, divisor, unit, label): tls-tunnel's own median against an absolute bound (lower
# is better), shown in the unit after dividing by the divisor
ABSOLUTE_TARGETS = [
    ("p99_loaded_us", 5000, 1000, "ms", "p99 latency, 1 conn beside 8 bulk streams ≤ 5 ms"),
]
LOADED = [
    ("p50_loaded_us", "latency p50, 1 conn, 8 bulk streams beside (µs)"),
    ("p99_loaded_us", "latency p99, 1 conn, 8 bulk streams beside (µs)"),
    ("bulk_loaded_gbps", "the 8 bulk streams meanwhile (Gbit/s)"),
    ("busy_loaded_pct", "the machine's CPUs busy meanwhile (%)"),
]


def loaded_rows(data):
    """LOADED, then the same rows for each rate compare.sh --bulk-rates held the bulk streams to."""
    rates = sorted({m[len("p99_loaded_at_"):-len("_us")] for _, m in data
                    if m.startswith("p99_loaded_at_") and m.endswith("_us")}, key=float)
    rows = list(LOADED)
    for rate in rates:
        rows += [
            (f"p50_loaded_at_{rate}_us", f"latency p50, 1 conn, 8 bulk streams at {rate} Gbit/s beside (µs)"),
            (f"p99_loaded_at_{rate}_us", f"latency p99, 1 conn, 8 bulk streams at {rate} Gbit/s beside (µs)"),
            (f"bulk_loaded_at_{rate}_gbps", f"the 8 bulk streams held to {rate} Gbit/s meanwhile (Gbit/s)"),
            (f"busy_loaded_at_{rate}_pct", "the machine's CPUs busy meanwhile (%)"),
        ]
    return rows


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo")
    java = sh("java -version 2>&1 | head -1")
    print(f"Machine: {os.cpu_count()} CPUs ({cpu}), {mem} RAM, Linux {platform.release()}, {java}")
    print(
        "Tools: "
        + ", ".join(
            [
                sh("iperf3 --version | head -1 | cut -d' ' -f1,2"),
                sh("wrk -v 2>&1 | head -1 | cut -d' ' -f1,2"),
                sh("nginx -v 2>&1 | cut -d' ' -f3"),
                sh("stunnel4 -version 2>&1 | grep -m1 '^stunnel' | cut -d' ' -f1,2"),
                sh("ssh -V 2>&1 | cut -d, -f1"),
            ]
        )
    )
    print()


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
    if "--machine" in sys.argv:
        machine()
    data = defaultdict(dict)  # (path, metric) -> {run: value}
    for run, path, metric, value in rows:
        try:
            data[(path, metric)][run] = float(value)
        except ValueError:
            data[(path, metric)][run] = None
    runs = sorted({r for r, _, _, _ in rows if r != "all"})
    loads = [data[("machine", "loadavg1")].get(r) for r in runs]
    print(f"Median of {len(runs)} run(s); ratios are tls-tunnel ÷ path, per run, then the median.")
    print(f"1-minute load average at the start of each run: {', '.join(fmt(x) for x in loads)}.")
    print()
    print("| | direct | stunnel | ssh -R | go-yamux | tls-tunnel "
          "| ÷ direct | ÷ stunnel | ÷ ssh -R | ÷ go-yamux |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios = {}
    for metric, label, _ in METRICS + [(m, lbl, False) for m, lbl in loaded_rows(data)]:
        cells = [fmt(median(data[(p, metric)].values())) for p in PATHS]
        rcells = []
        for other in OTHERS:
            per_run = []
            for r in runs:
                a = data[("tls-tunnel", metric)].get(r)
                b = data[(other, metric)].get(r)
                per_run.append(a / b if a and b else None)
            ratios[(metric, other)] = median(per_run)
            rcells.append(fmt(ratios[(metric, other)]) + "×" if ratios[(metric, other)] else "–")
        print(f"| {label} | " + " | ".join(cells + rcells) + " |")
    print()
    cpu_rows = [
        ("cpu_iperf1_gbps", "CPU s per GB, 1 stream"),
        ("cpu_iperf8_gbps", "CPU s per GB, 8 streams"),
        ("cpu_rps_keepalive", "CPU µs per keep-alive request"),
        ("cpu_rps_close", "CPU µs per new connection + request"),
    ]
    if any(data[("tls-tunnel", m)] for m, _ in cpu_rows):
        print("CPU time (user + system) of the forwarding processes, both sides together, per unit of")
        print("work in the tests above (lower is better; independent of how much CPU the machine had free):")
        print()
        print("| | stunnel | ssh -R | go-yamux | tls-tunnel | ÷ stunnel | ÷ ssh -R | ÷ go-yamux |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for metric, label in cpu_rows:
            cells = [fmt(median(data[(p, metric)].values())) for p in FORWARDING]
            rcells = []
            for other in ["stunnel", "ssh", "go-yamux"]:
                per_run = []
                for r in runs:
                    a = data[("tls-tunnel", metric)].get(r)
                    b = data[(other, metric)].get(r)
                    per_run.append(a / b if a and b else None)
                m = median(per_run)
                rcells.append(fmt(m) + "×" if m else "–")
            print(f"| {label} | " + " | ".join(cells + rcells) + " |")
        print()
    print("Peak RSS (VmHWM) of the forwarding processes over all runs, MB:")
    print()
    print("| | stunnel | ssh -R | go-yamux | tls-tunnel |")
    print("|---|---:|---:|---:|---:|")
    for side, label in [("server", "server side"), ("client", "client side")]:
        cells = [fmt(median(data[(p, f"rss_{side}_mb")].values())) for p in FORWARDING]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    idle = {k[1]: median(v.values()) for k, v in data.items() if k[0] == "tls-tunnel" and k[1].startswith("idle_")}
    if idle:
        print(
            f"tls-tunnel with {fmt(idle.get('idle_conns_ok'))} idle proxied connections open "
            f"({fmt(idle.get('idle_conns_failed'))} failed): "
            f"server RSS {fmt(idle.get('idle_rss_server_mb'))} MB (peak {fmt(idle.get('idle_hwm_server_mb'))}), "
            f"client RSS {fmt(idle.get('idle_rss_client_mb'))} MB (peak {fmt(idle.get('idle_hwm_client_mb'))})."
        )
        print()
    transport_ratios = transports(data, runs)
    print("| Target | Median ratio | Met |")
    print("|---|---:|---|")
    for metric, other, bound, higher, label in TARGETS:
        r = ratios.get((metric, other))
        if r is None and not (data[("tls-tunnel", metric)] and data[(other, metric)]):
            print(f"| {label} | – | not measured |")
            continue
        met = r is not None and (r >= bound if higher else r <= bound)
        print(f"| {label} | {fmt(r)}× | {'yes' if met else '**no**'} |")
    for metric, bound, divisor, unit, label in ABSOLUTE_TARGETS:
        v = median(data[("tls-tunnel", metric)].values())
        if v is None:
            print(f"| {label} | – | not measured |")
        else:
            print(f"| {label} | {fmt(v / divisor)} {unit} | {'yes' if v <= bound else '**no**'} |")
    for metric, path, bound, label in TRANSPORT_TARGETS:
        if (metric, path) in transport_ratios:
            r = transport_ratios[(metric, path)]
            met = r is not None and r >= bound
            print(f"| {label} | {fmt(r)}× | {'yes' if met else '**no**'} |")
    if idle:
        worst = max(idle.get("idle_rss_server_mb") or 0, idle.get("idle_rss_client_mb") or 0)
        ok = worst < 150 and not idle.get("idle_conns_failed")
        print(f"| RSS of each side, 1,000 idle connections < 150 MB | {fmt(worst)} MB | {'yes' if ok else '**no**'} |")


def transports(data, runs):
    """Prints the tunnel's transports measured (tls on the default first) and the ratios to it."""
    present = [(p, n) for p, n in TRANSPORTS if any(data[(p, m)] for m, _, _ in METRICS)]
    if len(present) < 2:
        return {}
    others = [(p, n) for p, n in present if p != "tls-tunnel"]
    print("tls-tunnel by transport, measured side by side in each run (ratios: transport ÷ tls):")
    print()
    head = [n for _, n in present] + [f"{n} ÷ tls" for _, n in others]
    print("| | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(head))
    ratios = {}
    rows = METRICS + [("cpu_iperf1_gbps", "CPU s per GB, 1 stream", False),
                      ("cpu_rps_keepalive", "CPU µs per keep-alive request", False)]
    for metric, label, _ in rows:
        cells = [fmt(median(data[(p, metric)].values())) for p, _ in present]
        rcells = []
        for p, _ in others:
            per_run = []
            for r in runs:
                a = data[(p, metric)].get(r)
                b = data[("tls-tunnel", metric)].get(r)
                per_run.append(a / b if a and b else None)
            ratios[(metric, p)] = median(per_run)
            rcells.append(fmt(ratios[(metric, p)]) + "×" if ratios[(metric, p)] else "–")
        print(f"| {label} | " + " | ".join(cells + rcells) + " |")
    print()
    return ratios


if __name__ == "__main__":
    main()
