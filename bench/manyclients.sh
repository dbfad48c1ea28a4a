#!/usr/bin/env bash
# Many clients on one server: a connect storm of N authenticated clients with 2 proxies each,
# a checksummed echo through every proxy, the server's memory, then kill -9 and restart of the
# server and the time until every client is back and serving.
#
#   mvn -B -q -DskipTests package && mvn -B -q -Pbench -pl tunnel-bench -am -DskipTests package
#   bench/manyclients.sh [--clients N] [--proxies K] [--payload BYTES] [--port-base P] [--keep]
#
# Two processes: the tunnel server, started through ./tls-tunnel (the shipped launcher and its JVM
# flags, so its RSS is the real one; SERVER_JAVA_OPTS adds to them), and one JVM (tunnel-bench's
# ManyClients, FLEET_JAVA_OPTS) with all clients, the echo services and the checks. Loopback only;
# every process is stopped by a trap.
set -euo pipefail

clients=2000
proxies=2
payload=16384
port_base=20000
keep=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --proxies) proxies="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --port-base) port_base="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "manyclients.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cli_jar="$root/tunnel-cli/target/tls-tunnel.jar"
bench_jar="$root/tunnel-bench/target/benchmarks.jar"
[[ -f "$cli_jar" ]] || { echo "manyclients.sh: build $cli_jar first: mvn -B -q -DskipTests package" >&2; exit 1; }
[[ -f "$bench_jar" ]] || { echo "manyclients.sh: build $bench_jar first: mvn -B -q -Pbench -pl tunnel-bench -am -DskipTests package" >&2; exit 1; }
for tool in java openssl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "manyclients.sh: $tool is missing" >&2; exit 1; }
done
# The launcher rebuilds the jar when a source or pom is newer: do that now, not inside a restart.
"$root/tls-tunnel" --version >/dev/null

# Ports: the tunnel on port-base, the proxies on port-base + 1 ... + clients x proxies, all below
# the kernel's ephemeral range and all free.
last=$((port_base + clients * proxies))
if [[ $port_base -lt 1024 || $last -ge 32768 ]]; then
  echo "manyclients.sh: ports $port_base..$last must lie within 1024..32767; lower --port-base or --clients" >&2
  exit 1
fi
busy="$(python3 - "$port_base" "$last" <<'EOF'
import socket, sys
busy = []
for port in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    # As the tunnel binds: connections of an earlier run in TIME_WAIT do not make a port busy.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen()
    except OSError:
        busy.append(str(port))
    finally:
        s.close()
print(" ".join(busy[:10]))
EOF
)"
[[ -z "$busy" ]] || { echo "manyclients.sh: ports in use in $port_base..$last: $busy" >&2; exit 1; }

# Each side holds a descriptor per session and per published port, the client JVM one per echo
# listener too.
ulimit -n "$(ulimit -Hn)"
need=$((clients * (proxies + 1) + 1000))
if [[ "$(ulimit -n)" -lt $need ]]; then
  echo "manyclients.sh: open-files limit $(ulimit -n) is below the $need needed" >&2
  exit 1
fi

tmp="$(mktemp -d /tmp/tls-tunnel-manyclients.XXXXXX)"
umask 077 # the config and the key file hold the auth key
harness=""
cleanup() {
  local rc=$?
  [[ -n "$harness" ]] && kill "$harness" 2>/dev/null || true
  for ((t = 0; t < 100; t++)); do
    [[ -n "$harness" ]] && kill -0 "$harness" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$harness" ]] && kill -9 "$harness" 2>/dev/null || true
  # The server is the harness's child; if the harness could not stop it, stop it here (only when
  # the pid still runs our config, not a process that reused the number).
  if [[ -f "$tmp/server.pid" ]]; then
    s="$(cat "$tmp/server.pid")"
    if grep -q "$tmp/server.toml" "/proc/$s/cmdline" 2>/dev/null; then kill -9 "$s" 2>/dev/null || true; fi
  fi
  if [[ $keep -eq 1 || $rc -ne 0 ]]; then
    echo "manyclients.sh: logs in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
openssl rand -hex 24 >"$tmp/auth.key"
# Admission limits for a storm from one address (everything comes from 127.0.0.1): every client
# may dial at once and be in its handshake at once. The defaults (20/s, burst 40, 64 per address
# unauthenticated) would spread the storm over ~100 s of retries. A handshake queued behind the
# storm's others may take longer than the default 10 s: handshake_timeout is the client's own
# setup deadline (20 s) instead, so the server does not cut what the client still waits for.
cat >"$tmp/server.toml" <<CONF
[server]
bind_addr = "127.0.0.1"
bind_port = $port_base
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key_file = "$tmp/auth.key"
handshake_timeout = "20s"

[server.limits]
connection_rate = $clients
connection_burst = $clients
max_unauthenticated = $clients
max_unauthenticated_per_ip = $clients
CONF

echo "manyclients: $clients clients x $proxies proxies on one server, tunnel port $port_base, proxies on $((port_base + 1))..$last"
echo "machine: $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1), open-files limit $(ulimit -n)"
# The clients' JVM: 2 event-loop threads for all clients; heap for their state. The server gets
# the launcher's JVM flags, then $SERVER_JAVA_OPTS (e.g. -Xmx256m), then a GC log.
java ${FLEET_JAVA_OPTS:--Xmx2g} -cp "$bench_jar" dev.tlstunnel.bench.ManyClients \
  --launcher "$root/tls-tunnel" --server-config "$tmp/server.toml" --log-dir "$tmp" \
  --tunnel-port "$port_base" --public-base "$port_base" --auth-key-file "$tmp/auth.key" \
  --ca "$tmp/server.crt" --clients "$clients" --proxies "$proxies" --payload "$payload" \
  --server-java-opts "${SERVER_JAVA_OPTS:-}" 2>"$tmp/fleet.log" &
harness=$!
rc=0
wait "$harness" || rc=$?
harness=""
# Warnings of each process, alike ones counted together (times, ports and figures masked).
summary() { # log label
  local n
  n="$(grep -c -E ' (WARN|ERROR) ' "$1" || true)"
  echo "$2: $n warnings/errors"
  grep -E ' (WARN|ERROR) ' "$1" | sed -E 's/^[0-9:. -]+//; s/[0-9]+(\.[0-9]+)?/N/g' \
    | sort | uniq -c | sort -rn | head -5 || true
}
for log in "$tmp"/server-[0-9]*.log; do
  [[ "$log" == *-gc.log ]] || summary "$log" "$(basename "$log" .log) log"
done
summary "$tmp/fleet.log" "clients' log"
exit $rc
