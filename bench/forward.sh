#!/usr/bin/env bash
# Forwarders against a direct connection, on loopback: CONNECT throughput (curl through the HTTP
# forwarder and the SOCKS5 forwarder, by the direct route and by the tunnel route) and request
# rates (wrk through the HTTP forwarder with absolute-URI requests, keep-alive and one connection
# per request). Prints a Markdown table of medians and of ratios to direct, measured side by side
# in each run, with the load average. Installs nothing; see bench/README.md.
#
#   bench/forward.sh [--runs N] [--quick] [--port-base P] [--out DIR] [--keep]
set -euo pipefail

runs=3
quick=0
port_base=28000
out=""
keep=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --quick) quick=1; runs=1; shift ;;
    --port-base) port_base="$2"; shift 2 ;;
    --out) out="$2"; keep=1; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "forward.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$root/tunnel-cli/target/tls-tunnel.jar"
if [[ $quick -eq 1 ]]; then dur=2; size_mb=128; else dur=5; size_mb=512; fi

missing=()
for tool in wrk nginx curl openssl java python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "forward.sh: missing ${missing[*]} (apt-get install -y wrk nginx curl)" >&2
  exit 1
fi
[[ -f "$jar" ]] || { echo "forward.sh: $jar is missing; build it: mvn -B -q -DskipTests package" >&2; exit 1; }

p_http=$((port_base + 1)); p_tt=$((port_base + 2))
p_fwd_direct=$((port_base + 3)); p_fwd_tunnel=$((port_base + 4)); p_socks_tunnel=$((port_base + 5))
for p in "$p_http" "$p_tt" "$p_fwd_direct" "$p_fwd_tunnel" "$p_socks_tunnel"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "forward.sh: port $p is in use; choose another --port-base" >&2
    exit 1
  fi
done

tmp="${out:-$(mktemp -d /tmp/tls-tunnel-fwd-bench.XXXXXX)}"
mkdir -p "$tmp"
chmod 755 "$tmp"
results="$tmp/results.tsv"
: >"$results"

pids=()
cleanup() {
  local rc=$?
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; done
  for ((t = 0; t < 50; t++)); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $keep -eq 0 ]]; then rm -rf "$tmp"; else echo "forward.sh: results and logs in $tmp" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[forward $(date +%T)] $*" >&2; }
wait_port() {
  for ((t = 0; t < 300; t++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "forward.sh: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
start() { local name="$1"; shift; "$@" >"$tmp/$name.log" 2>&1 & pids+=("$!"); }

# ---- the service: nginx with a 1 KiB and a large file -------------------------------------------
mkdir -p "$tmp/www" "$tmp/nginx"
head -c 1024 /dev/urandom >"$tmp/www/1k.bin"
head -c "$((size_mb << 20))" /dev/zero >"$tmp/www/big.bin"
cat >"$tmp/nginx/nginx.conf" <<CONF
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
  server { listen 127.0.0.1:$p_http backlog=4096; root $tmp/www; }
}
CONF
start nginx nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
wait_port "$p_http"

# ---- tls-tunnel: a server that forwards to 127.0.0.1 only, a client with three forwarders -------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
key="$(openssl rand -hex 24)"
cat >"$tmp/server.toml" <<CONF
[server]
bind_addr = "127.0.0.1"
bind_port = $p_tt
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$key"
allow_forward = true
[server.egress]
allow_cidrs = ["127.0.0.1/32"]
CONF
cat >"$tmp/client.toml" <<CONF
[client]
server_addr = "127.0.0.1"
server_port = $p_tt
auth_key = "$key"
ca_cert_path = "$tmp/server.crt"
client_id = "bench"

[[forwarders]]
name = "http-direct"
type = "http"
bind_port = $p_fwd_direct
[forwarders.direct]
allow_cidrs = ["127.0.0.1/32"]
[forwarders.routing]
default = "direct"

[[forwarders]]
name = "http-tunnel"
type = "http"
bind_port = $p_fwd_tunnel

[[forwarders]]
name = "socks-tunnel"
type = "socks5"
bind_port = $p_socks_tunnel
CONF
chmod 600 "$tmp/server.toml" "$tmp/client.toml"
start server "$root/tls-tunnel" server -c "$tmp/server.toml"
wait_port "$p_tt"
start client "$root/tls-tunnel" client -c "$tmp/client.toml"
wait_port "$p_fwd_direct"; wait_port "$p_fwd_tunnel"; wait_port "$p_socks_tunnel"
# The forwarders listen at once; the tunnel route works once the client's session is up.
for ((t = 0; t < 300; t++)); do
  curl -sf -o /dev/null --proxytunnel --proxy "http://127.0.0.1:$p_fwd_tunnel" \
    "http://127.0.0.1:$p_http/1k.bin" && break
  sleep 0.1
done

big="http://127.0.0.1:$p_http/big.bin"
cat >"$tmp/absolute.lua" <<LUA
wrk.path = "http://127.0.0.1:$p_http/1k.bin"
wrk.headers["Host"] = "127.0.0.1:$p_http"
LUA

speed() { # curl args...: bytes/s of the download
  local s
  s="$(curl -s -o /dev/null --max-time 120 -w '%{speed_download} %{size_download}' "$@")"
  [[ "${s#* }" -eq $((size_mb << 20)) ]] || { echo "forward.sh: short download ($s) for $*" >&2; exit 1; }
  echo "${s% *}"
}
rps() { # wrk args...: requests/s
  local o
  o="$(wrk -t 2 -c 50 -d "${dur}s" "$@")"
  if grep -q 'Non-2xx' <<<"$o"; then echo "forward.sh: errors in wrk $*: $o" >&2; exit 1; fi
  awk '/^Requests\/sec/ {print $2}' <<<"$o"
}

measure() { # run
  local run="$1"
  printf '%s\tload\t%s\n' "$run" "$(cut -d' ' -f1 /proc/loadavg)" >>"$results"
  printf '%s\tconnect_MBps\tdirect\t%s\n' "$run" "$(speed "$big")" >>"$results"
  printf '%s\tconnect_MBps\thttp CONNECT, direct route\t%s\n' "$run" \
    "$(speed --proxytunnel --proxy "http://127.0.0.1:$p_fwd_direct" "$big")" >>"$results"
  printf '%s\tconnect_MBps\thttp CONNECT, tunnel route\t%s\n' "$run" \
    "$(speed --proxytunnel --proxy "http://127.0.0.1:$p_fwd_tunnel" "$big")" >>"$results"
  printf '%s\tconnect_MBps\tsocks5, tunnel route\t%s\n' "$run" \
    "$(speed --socks5-hostname "127.0.0.1:$p_socks_tunnel" "$big")" >>"$results"
  printf '%s\tkeepalive_rps\tdirect\t%s\n' "$run" "$(rps "http://127.0.0.1:$p_http/1k.bin")" >>"$results"
  printf '%s\tkeepalive_rps\thttp proxy, direct route\t%s\n' "$run" \
    "$(rps -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_direct")" >>"$results"
  printf '%s\tkeepalive_rps\thttp proxy, tunnel route\t%s\n' "$run" \
    "$(rps -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_tunnel")" >>"$results"
  printf '%s\tclose_rps\tdirect\t%s\n' "$run" \
    "$(rps -H 'Connection: close' "http://127.0.0.1:$p_http/1k.bin")" >>"$results"
  printf '%s\tclose_rps\thttp proxy, direct route\t%s\n' "$run" \
    "$(rps -H 'Connection: close' -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_direct")" >>"$results"
  printf '%s\tclose_rps\thttp proxy, tunnel route\t%s\n' "$run" \
    "$(rps -H 'Connection: close' -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_tunnel")" >>"$results"
}

log "warm-up"
speed --proxytunnel --proxy "http://127.0.0.1:$p_fwd_tunnel" "$big" >/dev/null
wrk -t 2 -c 50 -d 3s -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_tunnel" >/dev/null
wrk -t 2 -c 50 -d 3s -s "$tmp/absolute.lua" "http://127.0.0.1:$p_fwd_direct" >/dev/null
for ((r = 1; r <= runs; r++)); do
  log "run $r/$runs"
  measure "$r"
done

python3 - "$results" "$size_mb" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
loads = [r[2] for r in rows if r[1] == "load"]
data = {}
for r in rows:
    if r[1] != "load":
        data.setdefault((r[1], r[2]), {})[r[0]] = float(r[3])
titles = {"connect_MBps": "download through CONNECT / SOCKS5, MB/s (1 stream, %s MiB)" % sys.argv[2],
          "keepalive_rps": "keep-alive requests/s (wrk, 50 connections, 1 KiB)",
          "close_rps": "new connections/s (wrk, 50 connections, Connection: close)"}
print("| figure | path | median | ratio to direct (median of per-run ratios) |")
print("|---|---|---|---|")
for metric in ["connect_MBps", "keepalive_rps", "close_rps"]:
    direct = data[(metric, "direct")]
    for (m, path), per_run in data.items():
        if m != metric:
            continue
        values = list(per_run.values())
        med = statistics.median(values)
        if metric == "connect_MBps":
            med /= 1e6
        ratios = [per_run[run] / direct[run] for run in per_run]
        ratio = "1" if path == "direct" else "%.2f" % statistics.median(ratios)
        print("| %s | %s | %.0f | %s |" % (titles[metric], path, med, ratio))
print()
print("1-minute load average at the start of each run: " + ", ".join(loads))
PY
