#!/usr/bin/env python3
"""Start-up time and memory of tls-tunnel, one or more builds side by side in one run.

  bench/footprint.py [--variant NAME=DIR[:JAVA_OPTS]]... [--runs N] [--idle N] [--port-base P]

Each variant is a directory with a `tls-tunnel` launcher: the source tree (the default, "tree")
or an unpacked release archive; JAVA_OPTS after a colon is passed to its launcher (leading
NAME=VALUE words set environment variables instead). Every run
measures every variant in turn (so load on a shared machine hits all of them alike):

  version_s, check_s   wall time of `tls-tunnel --version` and `tls-tunnel check -c server.toml`;
                       *_cpu_s: the CPU time (user + system) they used, which load skews less
  server_start_s       from starting `tls-tunnel server` to its port accepting connections
  client_start_s       from starting `tls-tunnel client` (server already up) to the client being
                       registered: its published port accepts connections; *_cpu_s: the CPU
                       time the process used until then
  idle_rss_*_mb        VmRSS of each side 5 s after the client registered
  conns_rss_*_mb       VmRSS of each side holding --idle proxied connections, each proven by a
                       one-byte echo (bench/idle_conns.py), after a 3 s hold; conns_hwm_* peak

and prints a Markdown table of the medians, with the 1-minute load average at the start of each
run. Installs nothing: it needs python3, openssl and what the launcher needs.
"""
import argparse
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
METRICS = [
    ("version_s", "`--version` (s)"),
    ("version_cpu_s", "`--version`, CPU (s)"),
    ("check_s", "`check -c server.toml` (s)"),
    ("check_cpu_s", "`check -c server.toml`, CPU (s)"),
    ("server_start_s", "server: start to listening (s)"),
    ("server_start_cpu_s", "server: CPU until listening (s)"),
    ("client_start_s", "client: start to registered (s)"),
    ("client_start_cpu_s", "client: CPU until registered (s)"),
    ("idle_rss_server_mb", "server idle RSS (MB)"),
    ("idle_rss_client_mb", "client idle RSS (MB)"),
    ("conns_rss_server_mb", "server RSS, idle connections (MB)"),
    ("conns_rss_client_mb", "client RSS, idle connections (MB)"),
    ("conns_hwm_server_mb", "server peak RSS, idle connections (MB)"),
    ("conns_hwm_client_mb", "client peak RSS, idle connections (MB)"),
]


def parse_variant(text):
    name, _, rest = text.partition("=")
    home, _, opts = rest.partition(":")
    launcher = os.path.join(os.path.abspath(home or ROOT), "tls-tunnel")
    if not name or not os.access(launcher, os.X_OK):
        sys.exit(f"footprint.py: --variant {text}: no executable {launcher}")
    return name, launcher, opts


def wait_port(port, proc, timeout=60.0):
    """Seconds until 127.0.0.1:port accepts a connection; fails if proc exits first."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return time.monotonic() - start
        except OSError:
            time.sleep(0.005)
    raise RuntimeError(f"port {port} did not open within {timeout}s")


def cpu_s(pid):
    """CPU time (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Variant:
    def __init__(self, name, launcher, opts, port, tmp):
        self.name, self.launcher, self.tmp = name, launcher, tmp
        # Leading NAME=VALUE words are environment variables for the launcher (MALLOC_ARENA_MAX=2).
        words = opts.split()
        env = {}
        while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
            k, _, v = words.pop(0).partition("=")
            env[k] = v
        self.env = dict(os.environ, JAVA_OPTS=" ".join(words), **env)
        self.bind_port, self.publish_port = port, port + 1
        self.server_cfg = os.path.join(tmp, f"server-{name}.toml")
        self.client_cfg = os.path.join(tmp, f"client-{name}.toml")

    def write_configs(self, key, sink_port):
        crt, k = os.path.join(self.tmp, "server.crt"), os.path.join(self.tmp, "server.key")
        with open(self.server_cfg, "w") as f:
            f.write(f'[server]\nbind_addr = "127.0.0.1"\nbind_port = {self.bind_port}\n'
                    f'cert_path = "{crt}"\nkey_path = "{k}"\nauth_key = "{key}"\n')
        with open(self.client_cfg, "w") as f:
            f.write(f'[client]\nserver_addr = "127.0.0.1"\nserver_port = {self.bind_port}\n'
                    f'auth_key = "{key}"\nca_cert_path = "{crt}"\nclient_id = "fp-{self.name}"\n\n'
                    f'[[proxies]]\nname = "idle"\npublish_addr = "127.0.0.1"\n'
                    f'publish_port = {self.publish_port}\nlocal_addr = "127.0.0.1"\n'
                    f'local_port = {sink_port}\n')
        for path in (self.server_cfg, self.client_cfg):
            os.chmod(path, 0o600)

    def timed(self, *args):
        """Wall time and CPU time (user + system) of one command."""
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        r = subprocess.run([self.launcher, *args], env=self.env, capture_output=True, text=True)
        wall = time.monotonic() - start
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: tls-tunnel {' '.join(args)}: {r.stderr}{r.stdout}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime

    def start(self, role, log):
        cfg = self.server_cfg if role == "server" else self.client_cfg
        return subprocess.Popen([self.launcher, role, "-c", cfg], env=self.env,
                                stdout=log, stderr=subprocess.STDOUT)

    def measure(self, idle, run):
        out = {}
        out["version_s"], out["version_cpu_s"] = self.timed("--version")
        out["check_s"], out["check_cpu_s"] = self.timed("check", "-c", self.server_cfg)
        with open(os.path.join(self.tmp, f"{self.name}-{run}.log"), "w") as log:
            server = self.start("server", log)
            client = None
            try:
                out["server_start_s"] = wait_port(self.bind_port, server)
                out["server_start_cpu_s"] = cpu_s(server.pid)
                client = self.start("client", log)
                out["client_start_s"] = wait_port(self.publish_port, client)
                out["client_start_cpu_s"] = cpu_s(client.pid)
                time.sleep(5)
                out["idle_rss_server_mb"] = rss_mb(server.pid)
                out["idle_rss_client_mb"] = rss_mb(client.pid)
                out.update(hold(self.publish_port, idle, server.pid, client.pid))
            finally:
                for p in (client, server):
                    if p is not None:
                        stop(p)
        return out


def hold(port, count, server_pid, client_pid):
    r = subprocess.run([sys.executable, os.path.join(HERE, "idle_conns.py"), "hold",
                        "--port", str(port), "--count", str(count),
                        "--pids", f"{server_pid},{client_pid}", "--names", "server,client"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"idle connections failed: {r.stdout}{r.stderr}")
    values = dict(line.split("\t") for line in r.stdout.splitlines() if "\t" in line)
    return {k.replace("idle_rss_", "conns_rss_").replace("idle_hwm_", "conns_hwm_"): float(v)
            for k, v in values.items() if k.startswith(("idle_rss_", "idle_hwm_"))}


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # a second signal stops at once
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def table(variants, results, loads, args):
    names = [v.name for v in variants]
    print(f"\n`bench/footprint.py --runs {args.runs} --idle {args.idle}`, medians of "
          f"{args.runs} runs; 1-minute load average at the start of each run: "
          + ", ".join(f"{x:.1f}" for x in loads) + f" ({os.cpu_count()} CPUs)\n")
    head = "| | " + " | ".join(names) + " |"
    if len(names) == 2:
        head += f" {names[1]} ÷ {names[0]} |"
    print(head)
    print("|---" + "|---:" * (len(names) + (1 if len(names) == 2 else 0)) + "|")
    for key, label in METRICS:
        med = [statistics.median(r[key] for r in results[n]) for n in names]
        fmt = "{:.2f}" if key.endswith("_s") else "{:.0f}"
        row = f"| {label} | " + " | ".join(fmt.format(m) for m in med) + " |"
        if len(names) == 2:
            row += f" {med[1] / med[0]:.2f}× |" if med[0] else " |"
        print(row)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", action="append", default=[],
                   help="NAME=DIR[:JAVA_OPTS], DIR holding a tls-tunnel launcher (repeatable)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--idle", type=int, default=1000, help="idle proxied connections held")
    p.add_argument("--port-base", type=int, default=29000)
    p.add_argument("--keep", action="store_true", help="keep the temp dir with the logs")
    args = p.parse_args()
    # Each idle connection costs descriptors in the launched processes.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tmp = tempfile.mkdtemp(prefix="tls-tunnel-footprint.")
    variants = [Variant(*parse_variant(v), args.port_base + 10 * (i + 1), tmp)
                for i, v in enumerate(args.variant or [f"tree={ROOT}"])]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", f"{tmp}/server.key", "-out", f"{tmp}/server.crt"],
                   check=True, capture_output=True)
    key = os.urandom(24).hex()
    sink_port = args.port_base
    sink = subprocess.Popen([sys.executable, os.path.join(HERE, "idle_conns.py"), "sink",
                             "--port", str(sink_port)])
    results = {v.name: [] for v in variants}
    loads = []
    try:
        wait_port(sink_port, sink)
        for v in variants:
            v.write_configs(key, sink_port)
            v.timed("--version")  # the first start may build a jar or probe the JVM
        for run in range(args.runs):
            loads.append(os.getloadavg()[0])
            for v in variants:
                r = v.measure(args.idle, run)
                print(f"run {run + 1} {v.name}: "
                      + " ".join(f"{k}={x:.2f}" for k, x in r.items()), file=sys.stderr)
                results[v.name].append(r)
    finally:
        stop(sink)
        if not args.keep:
            subprocess.run(["rm", "-rf", tmp])
        else:
            print(f"logs in {tmp}", file=sys.stderr)
    table(variants, results, loads, args)


if __name__ == "__main__":
    main()
