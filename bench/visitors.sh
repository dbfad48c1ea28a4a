#!/usr/bin/env bash
# Throughput and connection cost through a visitor against a public proxy, in one run: a server
# and a publishing client that publishes the same services twice (a public proxy and a private
# one), and a visitor client that reaches the private ones. Installs nothing; needs iperf3, wrk,
# nginx, openssl, java, python3 and the CLI jar (bench/README.md).
#
#   bench/visitors.sh [--rounds N] [--quick] [--port-base P] [--out DIR] [--keep]
#
# Every process it starts is stopped by a trap, also on failure or Ctrl+C.
set -euo pipefail

rounds=5
quick=0
port_base=28000
out=""
keep=0

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --rounds N      rounds; each measures both paths, in alternating order (default 5)
  --quick         two rounds with short durations, for development
  --port-base P   first of the ports used, all below 32768 (default 28000; uses P+1 ... P+32)
  --out DIR       keep raw results and logs in DIR (default: a temp dir, removed unless --keep)
  --keep          keep the temp dir
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --quick) quick=1; rounds=2; shift ;;
    --port-base) port_base="$2"; shift 2 ;;
    --out) out="$2"; keep=1; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "visitors.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
  esac
done

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$root/tunnel-cli/target/tls-tunnel.jar"
if [[ $quick -eq 1 ]]; then dur=2; warm=1; else dur=5; warm=3; fi

# ---- preflight ---------------------------------------------------------------------------------
missing=()
for tool in iperf3 wrk nginx openssl java python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "visitors.sh: missing ${missing[*]}; apt-get install -y iperf3 wrk nginx" >&2
  exit 1
fi
[[ -f "$jar" ]] || { echo "visitors.sh: $jar is missing; build it: mvn -B -q -DskipTests package" >&2; exit 1; }
if ((port_base + 32 >= 32768)); then
  echo "visitors.sh: --port-base $port_base reaches the ephemeral range; stay below 32736" >&2
  exit 1
fi

p_iperf=$((port_base + 1)); p_http=$((port_base + 2))
p_tt=$((port_base + 10))
p_pub_iperf=$((port_base + 11)); p_pub_http=$((port_base + 12))
p_vis_iperf=$((port_base + 21)); p_vis_http=$((port_base + 22))
all_ports=("$p_iperf" "$p_http" "$p_tt" "$p_pub_iperf" "$p_pub_http" "$p_vis_iperf" "$p_vis_http")
for p in "${all_ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "visitors.sh: port $p is in use already; choose another --port-base" >&2
    exit 1
  fi
done

tmp="${out:-$(mktemp -d /tmp/tls-tunnel-visitors.XXXXXX)}"
mkdir -p "$tmp"
chmod 755 "$tmp"
results="$tmp/results.tsv"
: >"$results"

pids=()
cleanup() {
  local rc=$? p
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p="${pids[$i]}"
    for c in $(pgrep -P "$p" 2>/dev/null || true); do kill "$c" 2>/dev/null || true; done
    kill "$p" 2>/dev/null || true
  done
  for ((t = 0; t < 50; t++)); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $keep -eq 0 ]]; then rm -rf "$tmp"; else echo "visitors.sh: results and logs in $tmp" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[visitors $(date +%T)] $*" >&2; }

wait_port() { # port [seconds]
  local port="$1" limit="${2:-30}"
  for ((t = 0; t < limit * 10; t++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "visitors.sh: nothing listens on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}

start() { # name command... ; in the background, logging to $tmp/name.log
  local name="$1"; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  eval "pid_$name=$!"
}

# ---- the services: iperf3 and nginx with a 1 KiB file -----------------------------------------
mkdir -p "$tmp/www" "$tmp/nginx"
head -c 1024 /dev/urandom >"$tmp/www/1k.bin"
cat >"$tmp/nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 10000000;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$p_http backlog=4096;
    root $tmp/www;
  }
}
EOF
start iperf3 iperf3 -s -B 127.0.0.1 -p "$p_iperf"
start nginx nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
wait_port "$p_iperf"; wait_port "$p_http"

# ---- the tunnel: server, publisher (public and private proxies), visitor --------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
auth_key="$(openssl rand -hex 24)"
secret="$(openssl rand -hex 24)"
cat >"$tmp/server.toml" <<EOF
[server]
bind_addr = "127.0.0.1"
bind_port = $p_tt
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$auth_key"
EOF
client_head() { # client-id
  cat <<EOF
[client]
server_addr = "127.0.0.1"
server_port = $p_tt
auth_key = "$auth_key"
ca_cert_path = "$tmp/server.crt"
client_id = "$1"
EOF
}
{
  client_head pub
  for svc in iperf http; do
    port_var="p_$svc"
    pub_var="p_pub_$svc"
    cat <<EOF

[[proxies]]
name = "$svc"
publish_addr = "127.0.0.1"
publish_port = ${!pub_var}
local_port = ${!port_var}

[[proxies]]
name = "$svc-private"
visibility = "private"
local_port = ${!port_var}
allowed_visitors = ["vis"]
secret = "$secret"
EOF
  done
} >"$tmp/publisher.toml"
{
  client_head vis
  for svc in iperf http; do
    vis_var="p_vis_$svc"
    cat <<EOF

[[visitors]]
name = "$svc"
target = "pub/$svc-private"
bind_port = ${!vis_var}
secret = "$secret"
EOF
  done
} >"$tmp/visitor.toml"

chmod 600 "$tmp"/*.toml "$tmp/server.key"
log "tls-tunnel: server on $p_tt; public proxies $p_pub_iperf/$p_pub_http; visitors $p_vis_iperf/$p_vis_http"
start tt_server "$root/tls-tunnel" server -c "$tmp/server.toml"
wait_port "$p_tt"
start tt_publisher "$root/tls-tunnel" client -c "$tmp/publisher.toml"
start tt_visitor "$root/tls-tunnel" client -c "$tmp/visitor.toml"
wait_port "$p_pub_iperf"; wait_port "$p_pub_http"; wait_port "$p_vis_iperf"; wait_port "$p_vis_http"
# A visitor listens before its session is up: wait until a request gets through.
for ((t = 0; t < 300; t++)); do
  curl -fs -o /dev/null "http://127.0.0.1:$p_vis_http/1k.bin" 2>/dev/null && break
  sleep 0.1
done
curl -fs -o /dev/null "http://127.0.0.1:$p_vis_http/1k.bin" \
  || { echo "visitors.sh: no answer through the visitor; see $tmp/*.log (--keep)" >&2; exit 1; }

# ---- measurements ------------------------------------------------------------------------------
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; } # round path metric value

hz="$(getconf CLK_TCK)"
cpu_ticks() { # user+system clock ticks the three tunnel JVMs used so far
  local total=0 p v
  for p in "$pid_tt_server" "$pid_tt_publisher" "$pid_tt_visitor"; do
    v="$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

gbps() { # port streams -> Gbit/s received
  local j omit=0
  [[ "$dur" -gt 1 ]] && omit=1
  j="$(iperf3 -c 127.0.0.1 -p "$1" -P "$2" -t "$dur" -O "$omit" -J 2>>"$tmp/iperf3-client.log")" || {
    echo "$j" >>"$tmp/iperf3-client.log"; echo 0; return; }
  python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)' <<<"$j"
}

rps() { # url extra-args... -> requests/s over 50 connections
  local url="$1" o; shift
  o="$(wrk -t 2 -c 50 -d "${dur}s" "$@" "$url" 2>&1)"
  echo "$o" >>"$tmp/wrk.log"
  awk '/^Requests\/sec:/ {print $2}' <<<"$o"
}

p50() { # url -> p50 latency in µs at one keep-alive connection
  local o
  o="$(wrk -t 1 -c 1 -d "${dur}s" --latency "$1" 2>&1)"
  echo "$o" >>"$tmp/wrk.log"
  python3 - "$o" <<'EOF'
import re, sys
units = {"us": 1, "ms": 1e3, "s": 1e6}
m = re.search(r"^\s+50(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", sys.argv[1], re.M)
print(float(m.group(1)) * units[m.group(2)] if m else 0)
EOF
}

with_cpu() { # round path metric kind command...: records the figure and the tunnel JVMs' CPU
  # time per unit of work in it (kind GB: seconds per GB; kind conn: microseconds per connection)
  local round="$1" path="$2" metric="$3" kind="$4" t0 t1 v; shift 4
  t0="$(cpu_ticks)"
  v="$("$@")"
  t1="$(cpu_ticks)"
  record "$round" "$path" "$metric" "$v"
  record "$round" "$path" "cpu_$metric" "$(python3 -c "
v, cpu, dur = float('${v:-0}' or 0), ($t1 - $t0) / $hz, $dur
work = v * dur / 8 if '$kind' == 'GB' else v * dur
print((cpu / work) * (1 if '$kind' == 'GB' else 1e6) if work > 0 else '')")"
}

measure() { # round path iperf-port http-port
  local url="http://127.0.0.1:$4/1k.bin"
  log "round $1: $2"
  with_cpu "$1" "$2" iperf1_gbps GB gbps "$3" 1
  with_cpu "$1" "$2" iperf8_gbps GB gbps "$3" 8
  with_cpu "$1" "$2" rps_close conn rps "$url" -H 'Connection: close'
  record "$1" "$2" p50_us "$(p50 "$url")"
}

log "warm-up: ${warm}s of each test on both paths"
for pair in "$p_pub_iperf $p_pub_http" "$p_vis_iperf $p_vis_http"; do
  read -r pi ph <<<"$pair"
  iperf3 -c 127.0.0.1 -p "$pi" -P 2 -t "$warm" >/dev/null 2>&1 || true
  wrk -t 2 -c 50 -d "${warm}s" -H 'Connection: close' "http://127.0.0.1:$ph/1k.bin" >/dev/null 2>&1 || true
  wrk -t 1 -c 1 -d "${warm}s" "http://127.0.0.1:$ph/1k.bin" >/dev/null 2>&1 || true
done

for ((r = 1; r <= rounds; r++)); do
  record "$r" machine loadavg1 "$(cut -d' ' -f1 /proc/loadavg)"
  if ((r % 2 == 1)); then
    measure "$r" public "$p_pub_iperf" "$p_pub_http"
    measure "$r" visitor "$p_vis_iperf" "$p_vis_http"
  else
    measure "$r" visitor "$p_vis_iperf" "$p_vis_http"
    measure "$r" public "$p_pub_iperf" "$p_pub_http"
  fi
done
record end machine loadavg1 "$(cut -d' ' -f1 /proc/loadavg)"
if grep -q "ERROR\|refused for" "$tmp"/tt_*.log; then
  log "errors in the tunnel logs:"; grep -h "ERROR\|refused for" "$tmp"/tt_*.log | head -5 >&2
fi

python3 - "$results" <<'EOF'
import statistics, sys
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
val = defaultdict(dict)
for rnd, path, metric, v in rows:
    val[(path, metric)][rnd] = float(v) if v else None
loads = [f"{r}: {v}" for r, v in sorted(val[("machine", "loadavg1")].items())]
print("1-minute load average at the start of each round and at the end: " + ", ".join(loads))
print()
print("| Figure | public proxy | visitor | visitor / public |")
print("|---|---:|---:|---:|")
names = [("iperf1_gbps", "iperf3, 1 stream (Gbit/s)"), ("iperf8_gbps", "iperf3, 8 streams (Gbit/s)"),
         ("rps_close", "wrk Connection: close, 50 conns (new connections/s)"),
         ("p50_us", "latency p50, 1 keep-alive conn (µs)"),
         ("cpu_iperf1_gbps", "tunnel CPU per GB, 1 stream (s)"),
         ("cpu_iperf8_gbps", "tunnel CPU per GB, 8 streams (s)"),
         ("cpu_rps_close", "tunnel CPU per new connection (µs)")]
med = lambda d: statistics.median([x for x in d.values() if x is not None])
for metric, label in names:
    pub, vis = val[("public", metric)], val[("visitor", metric)]
    ratios = [vis[r] / pub[r] for r in pub if r in vis and pub[r] and vis[r] is not None]
    print(f"| {label} | {med(pub):,.2f} | {med(vis):,.2f} | {statistics.median(ratios):.2f} |")
print()
print("Medians over the rounds; each ratio is taken within a round, then the median of those.")
print("Tunnel CPU: user + system time of the server, publisher and visitor JVMs during the test.")
EOF
