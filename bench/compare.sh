#!/usr/bin/env bash
# Compares five paths to the same loopback service: direct, stunnel (one TLS hop), ssh -R (OpenSSH
# remote forwarding), go-yamux (Go crypto/tls + HashiCorp yamux, frp's data path, built from
# bench/goref) and tls-tunnel, plus tls-tunnel over its wss and h2 transports and on the
# NIO, epoll and io_uring socket transports (the default is io_uring where it loads) side by side.
# Installs nothing; see bench/README.md for the packages.
#
#   bench/compare.sh [--runs N] [--quick] [--warmup S] [--paths LIST] [--port-base P] [--out DIR]
#                    [--keep] [--bulk-rates LIST]
#
# Every process it starts is stopped by a trap, also on failure or Ctrl+C.
set -euo pipefail

runs=3
quick=0
warm=""
port_base=27000
out=""
keep=0
idle_conns=1000
bulk_rates=""
only="direct,stunnel,ssh,go-yamux,tls-tunnel,tls-tunnel-wss,tls-tunnel-h2"
# Also measured when named in --paths: tls-tunnel-nio, tls-tunnel-epoll, tls-tunnel-io_uring.

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --runs N        full runs; the table shows the median of each figure and ratio (default 3)
  --quick         one run with short durations, for development
  --warmup S      seconds of each test on each path before the first run (default 30; 1 with
                  --quick): the JVM's JIT compiles the new-connection path for tens of seconds
  --port-base P   first of the loopback ports used, base + 1 ... 102 (default 27000)
  --idle N        idle proxied connections held for the tls-tunnel RSS check (default 1000)
  --paths LIST    measure only these of direct,stunnel,ssh,go-yamux,tls-tunnel,tls-tunnel-wss,
                  tls-tunnel-h2,tls-tunnel-nio,tls-tunnel-epoll,tls-tunnel-io_uring (e.g. to
                  profile one; the last three only when named)
  --out DIR       keep raw results and logs in DIR (default: a temp dir, removed unless --keep)
  --keep          keep the temp dir
  --bulk-rates L  also measure the latency beside 8 bulk streams held to each of these total rates
                  (Gbit/s, e.g. 0.5,2,4), besides unlimited ones: where the loaded p99 comes from
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --quick) quick=1; runs=1; shift ;;
    --warmup) warm="$2"; shift 2 ;;
    --port-base) port_base="$2"; shift 2 ;;
    --idle) idle_conns="$2"; shift 2 ;;
    --paths) only="$2"; shift 2 ;;
    --out) out="$2"; keep=1; shift 2 ;;
    --keep) keep=1; shift ;;
    --bulk-rates) bulk_rates="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
  esac
done

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$root/tunnel-cli/target/tls-tunnel.jar"

if [[ $quick -eq 1 ]]; then
  dur=2; warm="${warm:-1}"
else
  dur=5; warm="${warm:-30}"
fi
[[ "$warm" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --warmup wants whole seconds (1 or more), not '$warm'" >&2; exit 1; }
IFS=, read -r -a bulk_rate_list <<<"$bulk_rates"
for r in "${bulk_rate_list[@]+"${bulk_rate_list[@]}"}"; do
  # A decimal number with a digit other than 0 in it is above 0.
  [[ "$r" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ && "$r" =~ [1-9] ]] || {
    echo "compare.sh: --bulk-rates wants Gbit/s above 0 separated by commas (e.g. 0.5,2,4), not '$r'" >&2
    exit 1
  }
done

# ---- preflight ---------------------------------------------------------------------------------
missing=()
for tool in iperf3 wrk nginx stunnel4 ssh ssh-keygen openssl java python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x /usr/sbin/sshd ]] || missing+=("/usr/sbin/sshd")
gocode=/usr/share/gocode
if [[ ",$only," == *",go-yamux,"* ]]; then
  command -v go >/dev/null 2>&1 || missing+=(go)
  [[ -d "$gocode/src/github.com/hashicorp/yamux" ]] || missing+=("$gocode/src/github.com/hashicorp/yamux")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "compare.sh: missing ${missing[*]}; see bench/README.md (apt-get install -y iperf3 wrk nginx stunnel4 openssh-server golang-go golang-github-hashicorp-yamux-dev)" >&2
  exit 1
fi
[[ -f "$jar" ]] || { echo "compare.sh: $jar is missing; build it: mvn -B -q -DskipTests package" >&2; exit 1; }
# Each of the idle connections costs descriptors in this shell's children.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

tmp="${out:-$(mktemp -d /tmp/tls-tunnel-bench.XXXXXX)}"
mkdir -p "$tmp"
chmod 755 "$tmp"
results="$tmp/results.tsv"
: >"$results"

pids=()
cleanup() {
  local rc=$?
  local p
  # Children first (ssh before sshd and its session processes), newest first.
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
  if [[ $keep -eq 0 ]]; then
    rm -rf "$tmp"
  else
    echo "compare.sh: raw results and logs in $tmp" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[compare $(date +%T)] $*" >&2; }

wait_port() { # port [seconds]
  local port="$1" limit="${2:-20}"
  for ((t = 0; t < limit * 10; t++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "compare.sh: nothing listens on 127.0.0.1:$port after ${limit}s" >&2
  return 1
}

start() { # name command... ; runs in the background, logs to $tmp/name.log
  local name="$1"; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  eval "pid_$name=$!"
}

# ---- ports -------------------------------------------------------------------------------------
p_iperf=$((port_base + 1));   p_http=$((port_base + 2));   p_idle=$((port_base + 3))
p_st_tls_iperf=$((port_base + 11)); p_st_tls_http=$((port_base + 12))
p_st_iperf=$((port_base + 21));     p_st_http=$((port_base + 22))
p_sshd=$((port_base + 30)); p_ssh_iperf=$((port_base + 31)); p_ssh_http=$((port_base + 32))
p_tt=$((port_base + 40)); p_tt_iperf=$((port_base + 41)); p_tt_http=$((port_base + 42)); p_tt_idle=$((port_base + 43))
p_tw=$((port_base + 50)); p_tw_iperf=$((port_base + 51)); p_tw_http=$((port_base + 52))
p_th=$((port_base + 60)); p_th_iperf=$((port_base + 61)); p_th_http=$((port_base + 62))
p_te=$((port_base + 70)); p_te_iperf=$((port_base + 71)); p_te_http=$((port_base + 72))
p_tu=$((port_base + 80)); p_tu_iperf=$((port_base + 81)); p_tu_http=$((port_base + 82))
p_gy=$((port_base + 90)); p_gy_iperf=$((port_base + 91)); p_gy_http=$((port_base + 92))
p_tn=$((port_base + 100)); p_tn_iperf=$((port_base + 101)); p_tn_http=$((port_base + 102))
# A port something else listens on would measure that instead: every one must be free.
for v in "${!p_@}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/${!v}") 2>/dev/null; then
    echo "compare.sh: port ${!v} is in use; choose another --port-base" >&2
    exit 1
  fi
done

# ---- the service: iperf3 server and nginx with a 1 KiB file -----------------------------------
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
  keepalive_timeout 120s;
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
log "service: iperf3 on $p_iperf, nginx on $p_http, idle sink on $p_idle"
start iperf3 iperf3 -s -B 127.0.0.1 -p "$p_iperf"
start nginx nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
start idle python3 "$here/idle_conns.py" sink --port "$p_idle"
wait_port "$p_iperf"; wait_port "$p_http"; wait_port "$p_idle"

# ---- throw-away keys --------------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh_host_key" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$tmp/ssh_user_key" >/dev/null
cp "$tmp/ssh_user_key.pub" "$tmp/authorized_keys"

# ---- path 2: stunnel (plain -> stunnel client -> TLS -> stunnel server -> service) -------------
cat >"$tmp/stunnel-server.conf" <<EOF
foreground = yes
pid =
debug = 3
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
cert = $tmp/server.crt
key = $tmp/server.key
[iperf]
accept = 127.0.0.1:$p_st_tls_iperf
connect = 127.0.0.1:$p_iperf
[http]
accept = 127.0.0.1:$p_st_tls_http
connect = 127.0.0.1:$p_http
EOF
cat >"$tmp/stunnel-client.conf" <<EOF
foreground = yes
pid =
debug = 3
client = yes
socket = l:TCP_NODELAY=1
socket = r:TCP_NODELAY=1
[iperf]
accept = 127.0.0.1:$p_st_iperf
connect = 127.0.0.1:$p_st_tls_iperf
[http]
accept = 127.0.0.1:$p_st_http
connect = 127.0.0.1:$p_st_tls_http
EOF
log "stunnel: server on $p_st_tls_iperf/$p_st_tls_http, client on $p_st_iperf/$p_st_http"
start stunnel_server stunnel4 "$tmp/stunnel-server.conf"
start stunnel_client stunnel4 "$tmp/stunnel-client.conf"
wait_port "$p_st_iperf"; wait_port "$p_st_http"

# ---- path 3: ssh -R (sshd listens, ssh client connects to the service) -----------------------
mkdir -p /run/sshd # privilege separation directory that sshd insists on
log "ssh -R: sshd on $p_sshd, remote forwards $p_ssh_iperf/$p_ssh_http"
start sshd /usr/sbin/sshd -D -e -f /dev/null -p "$p_sshd" -h "$tmp/ssh_host_key" \
  -o ListenAddress=127.0.0.1 -o PermitRootLogin=yes -o StrictModes=no -o UsePAM=no \
  -o AllowTcpForwarding=yes -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
  -o PidFile="$tmp/sshd.pid" -o AuthorizedKeysFile="$tmp/authorized_keys"
wait_port "$p_sshd"
start ssh ssh -N -F /dev/null -p "$p_sshd" -i "$tmp/ssh_user_key" -o BatchMode=yes \
  -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ExitOnForwardFailure=yes \
  -o ServerAliveInterval=0 \
  -R "127.0.0.1:$p_ssh_iperf:127.0.0.1:$p_iperf" -R "127.0.0.1:$p_ssh_http:127.0.0.1:$p_http" \
  root@127.0.0.1
wait_port "$p_ssh_iperf"; wait_port "$p_ssh_http"

# ---- path 4: go-yamux, the Go reference tunnel (frp's data path), built here from bench/goref -
pid_gy_server=""; pid_gy_client=""
if [[ ",$only," == *",go-yamux,"* ]]; then
  log "go-yamux: building bench/goref (GOPATH=$gocode, offline)"
  (cd "$here/goref" && GO111MODULE=off GOPATH="$gocode" GOCACHE="$tmp/go-cache" \
    go build -o "$tmp/goref" goref.go) >"$tmp/goref-build.log" 2>&1 \
    || { cat "$tmp/goref-build.log" >&2; echo "compare.sh: building bench/goref failed" >&2; exit 1; }
  log "go-yamux: server on $p_gy, public $p_gy_iperf/$p_gy_http"
  start gy_server "$tmp/goref" server -listen "127.0.0.1:$p_gy" -cert "$tmp/server.crt" \
    -key "$tmp/server.key" -public "127.0.0.1:$p_gy_iperf,127.0.0.1:$p_gy_http"
  wait_port "$p_gy"
  start gy_client "$tmp/goref" client -server "127.0.0.1:$p_gy" -ca "$tmp/server.crt" \
    -local "127.0.0.1:$p_iperf,127.0.0.1:$p_http"
  wait_port "$p_gy_iperf"; wait_port "$p_gy_http"
fi

# ---- path 5: tls-tunnel through the launcher: the JVM flags we ship, then $JAVA_OPTS --------
auth_key="$(openssl rand -hex 24)"
cat >"$tmp/server.toml" <<EOF
[server]
bind_addr = "127.0.0.1"
bind_port = $p_tt
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$auth_key"
EOF
cat >"$tmp/client.toml" <<EOF
[client]
server_addr = "127.0.0.1"
server_port = $p_tt
auth_key = "$auth_key"
ca_cert_path = "$tmp/server.crt"
client_id = "bench"

[[proxies]]
name = "iperf"
publish_addr = "127.0.0.1"
publish_port = $p_tt_iperf
local_addr = "127.0.0.1"
local_port = $p_iperf

[[proxies]]
name = "http"
publish_addr = "127.0.0.1"
publish_port = $p_tt_http
local_addr = "127.0.0.1"
local_port = $p_http

[[proxies]]
name = "idle"
publish_addr = "127.0.0.1"
publish_port = $p_tt_idle
local_addr = "127.0.0.1"
local_port = $p_idle
EOF
log "tls-tunnel: server on $p_tt, published $p_tt_iperf/$p_tt_http/$p_tt_idle"
# shellcheck disable=SC2086
start tt_server "$root/tls-tunnel" server -c "$tmp/server.toml"
wait_port "$p_tt" 30
# shellcheck disable=SC2086
start tt_client "$root/tls-tunnel" client -c "$tmp/client.toml"
wait_port "$p_tt_iperf" 30; wait_port "$p_tt_http"; wait_port "$p_tt_idle"

# ---- paths 6 to 10: the same tunnel over wss and h2, and over tls on NIO, epoll and io_uring ----
tunnel_pair() { # name transport server-port iperf-port http-port [socket-transport]
  local name="$1" transport="$2" ps="$3" pi="$4" ph="$5" io="${6:-}" opts="${JAVA_OPTS:-}"
  [[ -n "$io" ]] && opts="$opts -Dtlstunnel.transport=$io"
  cat >"$tmp/server-$name.toml" <<EOF
[server]
bind_addr = "127.0.0.1"
bind_port = $ps
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$auth_key"
transport = "$transport"
EOF
  cat >"$tmp/client-$name.toml" <<EOF
[client]
server_addr = "127.0.0.1"
server_port = $ps
auth_key = "$auth_key"
ca_cert_path = "$tmp/server.crt"
client_id = "bench-$name"
transport = "$transport"

[[proxies]]
name = "iperf"
publish_addr = "127.0.0.1"
publish_port = $pi
local_addr = "127.0.0.1"
local_port = $p_iperf

[[proxies]]
name = "http"
publish_addr = "127.0.0.1"
publish_port = $ph
local_addr = "127.0.0.1"
local_port = $p_http
EOF
  log "tls-tunnel over $transport${io:+ on $io}: server on $ps, published $pi/$ph"
  JAVA_OPTS="$opts" start "${name}_server" "$root/tls-tunnel" server -c "$tmp/server-$name.toml"
  wait_port "$ps" 30
  JAVA_OPTS="$opts" start "${name}_client" "$root/tls-tunnel" client -c "$tmp/client-$name.toml"
  wait_port "$pi" 30; wait_port "$ph"
}
pid_tw_server=""; pid_tw_client=""; pid_th_server=""; pid_th_client=""
pid_te_server=""; pid_te_client=""; pid_tu_server=""; pid_tu_client=""
pid_tn_server=""; pid_tn_client=""
if [[ ",$only," == *",tls-tunnel-wss,"* ]]; then tunnel_pair tw wss "$p_tw" "$p_tw_iperf" "$p_tw_http"; fi
if [[ ",$only," == *",tls-tunnel-h2,"* ]]; then tunnel_pair th h2 "$p_th" "$p_th_iperf" "$p_th_http"; fi
if [[ ",$only," == *",tls-tunnel-nio,"* ]]; then
  tunnel_pair tn tls "$p_tn" "$p_tn_iperf" "$p_tn_http" nio
fi
if [[ ",$only," == *",tls-tunnel-epoll,"* ]]; then
  tunnel_pair te tls "$p_te" "$p_te_iperf" "$p_te_http" epoll
fi
if [[ ",$only," == *",tls-tunnel-io_uring,"* ]]; then
  tunnel_pair tu tls "$p_tu" "$p_tu_iperf" "$p_tu_http" io_uring
fi

# ---- measurements ------------------------------------------------------------------------------
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; } # run path metric value

iperf() { # port streams seconds -> bits/s received
  local j omit=0
  [[ "$3" -gt 1 ]] && omit=1 # leave slow start out
  # The readiness probes of the forwarders' iperf ports reach iperf3 late: a forwarder accepts
  # the probe at once and connects to iperf3 afterwards. iperf3 takes such a connection, arriving
  # while a test opens its data streams, for one of them and fails the test, which then ends
  # without totals (iperf3 logs "Size of data read does not correspond to offered length"). Its
  # answer is logged and the test repeated.
  local try
  for try in 1 2 3; do
    j="$(iperf3 -c 127.0.0.1 -p "$1" -P "$2" -t "$3" -O "$omit" -J 2>>"$tmp/iperf3-client.log")" || {
      echo "$j" >>"$tmp/iperf3-client.log"; echo 0; return; }
    if python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' \
      <<<"$j" 2>/dev/null; then
      return
    fi
    { echo "iperf3 -c 127.0.0.1 -p $1 -P $2 (try $try): no received total in its answer:"; echo "$j"; } \
      >>"$tmp/iperf3-client.log"
    sleep 1
  done
  echo "compare.sh: iperf3 to port $1 gave no result three times; see $tmp/iperf3-client.log" >&2
  exit 1
}

wrk_rps() { # url conns extra-args... -> requests/s (errors logged)
  local url="$1" c="$2"; shift 2
  local o
  o="$(wrk -t 2 -c "$c" -d "${dur}s" "$@" "$url" 2>&1)"
  echo "$o" >>"$tmp/wrk.log"
  awk '/^Requests\/sec:/ {print $2}' <<<"$o"
}

wrk_latency() { # url -> "p50_us p99_us" at one keep-alive connection
  local o
  o="$(wrk -t 1 -c 1 -d "${dur}s" --latency "$1" 2>&1)"
  latency_of "$o"
}

latency_of() { # wrk --latency output -> "p50_us p99_us"
  local o="$1"
  echo "$o" >>"$tmp/wrk.log"
  python3 - "$o" <<'EOF'
import re, sys
units = {"us": 1, "ms": 1e3, "s": 1e6}
got = {}
for m in re.finditer(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", sys.argv[1], re.M):
    got[m.group(1)] = float(m.group(2)) * units[m.group(3)]
print(got.get("50", 0), got.get("99", 0))
EOF
}

hwm_kb() { # pid -> VmHWM in kB (max over the pid and its descendants when $2 = tree)
  local p="$1" best=0 v
  local all=("$p")
  if [[ "${2:-}" == tree ]]; then
    local frontier=("$p")
    while [[ ${#frontier[@]} -gt 0 ]]; do
      local next=()
      for q in "${frontier[@]}"; do
        for c in $(pgrep -P "$q" 2>/dev/null || true); do next+=("$c"); all+=("$c"); done
      done
      frontier=("${next[@]+"${next[@]}"}")
    done
  fi
  for q in "${all[@]}"; do
    v="$(awk '/^VmHWM:/ {print $2}' "/proc/$q/status" 2>/dev/null || echo 0)"
    [[ -n "$v" && "$v" -gt "$best" ]] && best="$v"
  done
  echo "$best"
}

tree() { # pid -> the pid and its descendants
  local frontier=("$1") next q c
  echo "$1"
  while [[ ${#frontier[@]} -gt 0 ]]; do
    next=()
    for q in "${frontier[@]}"; do
      for c in $(pgrep -P "$q" 2>/dev/null || true); do next+=("$c"); echo "$c"; done
    done
    frontier=("${next[@]+"${next[@]}"}")
  done
}

forwarders() { # path -> pids of its forwarding processes
  case "$1" in
    stunnel) echo "$pid_stunnel_server $pid_stunnel_client" ;;
    ssh) echo "$pid_ssh $(tree "$pid_sshd" | tr '\n' ' ')" ;;
    go-yamux) echo "$pid_gy_server $pid_gy_client" ;;
    tls-tunnel) echo "$pid_tt_server $pid_tt_client" ;;
    tls-tunnel-wss) echo "$pid_tw_server $pid_tw_client" ;;
    tls-tunnel-h2) echo "$pid_th_server $pid_th_client" ;;
    tls-tunnel-nio) echo "$pid_tn_server $pid_tn_client" ;;
    tls-tunnel-epoll) echo "$pid_te_server $pid_te_client" ;;
    tls-tunnel-io_uring) echo "$pid_tu_server $pid_tu_client" ;;
    *) echo "" ;;
  esac
}

cpu_ticks() { # pids... -> user+system clock ticks used so far, summed
  local total=0 p v
  for p in "$@"; do
    v="$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

hz="$(getconf CLK_TCK)"
measured() { # run path metric unit-divisor command...: records the figure and, for a forwarding
  # path, the forwarders' CPU time per unit of work (divisor: bits -> GB, or requests)
  local run="$1" path="$2" metric="$3" kind="$4"; shift 4
  local fw t0 t1 v
  read -r -a fw <<<"$(forwarders "$path")"
  t0="$(cpu_ticks "${fw[@]+"${fw[@]}"}")"
  v="$("$@")"
  t1="$(cpu_ticks "${fw[@]+"${fw[@]}"}")"
  record "$run" "$path" "$metric" "$v"
  if [[ ${#fw[@]} -gt 0 ]]; then
    # CPU seconds over the whole test divided by the work done in it (rate x duration).
    python3 -c "
v, cpu, dur = float('$v' or 0), ($t1 - $t0) / $hz, $dur
work = v * dur / 8 if '$kind' == 'GB' else v * dur   # Gbit/s -> GB, req/s -> requests
print(cpu / work if work > 0 else '')" | {
      read -r c
      if [[ "$kind" == GB ]]; then
        record "$run" "$path" "cpu_${metric}" "$c"
      else
        record "$run" "$path" "cpu_${metric}" "$(python3 -c "print(${c:-0} * 1e6)")"
      fi
    }
  fi
}

gbps() { python3 -c "print($(iperf "$1" "$2" "$dur")/1e9)"; }

busy_ticks() { # -> "busy idle" clock ticks of the whole machine so far (I/O wait counts as idle)
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat
}

latency_loaded() { # run path iperf-port url [Gbit/s]: p50/p99 of one keep-alive connection while 8
  # bulk streams run through the same path, as fast as they can or held to that total rate (the
  # metrics then end in _at_RATE). wrk starts once iperf3 has reported two half-second intervals
  # of data; the figures count only when iperf3 reported an interval for every half second of the
  # wrk run and was still running when wrk ended. Bounded by timeout(1), waited for. Also records
  # the machine's busy CPU share during the wrk run.
  local run="$1" path="$2" pi="$3" url="$4" rate="${5:-}" o lat bulk n0 n1 alive=0 j sfx="" b0 i0 b1 i1
  local limit=()
  if [[ -n "$rate" ]]; then
    sfx="_at_$rate"
    limit=(-b "$(python3 -c "print(int($rate * 1e9 / 8))")")
  fi
  : >"$tmp/bulk.txt"
  timeout -k 2 $((dur + 20)) iperf3 -c 127.0.0.1 -p "$pi" -P 8 -t $((dur + 6)) -i 0.5 --forceflush \
    "${limit[@]+"${limit[@]}"}" >"$tmp/bulk.txt" 2>>"$tmp/iperf3-client.log" &
  bulk=$!
  pids+=("$bulk")
  sum_lines() { grep -c '^\[SUM\].*bits/sec' "$tmp/bulk.txt" || true; }
  for ((t = 0; t < 100; t++)); do # at most 10 s
    [[ "$(sum_lines)" -ge 2 ]] && break
    sleep 0.1
  done
  n0="$(sum_lines)"
  read -r b0 i0 <<<"$(busy_ticks)"
  o="$(wrk -t 1 -c 1 -d "${dur}s" --latency "$url" 2>&1)"
  read -r b1 i1 <<<"$(busy_ticks)"
  n1="$(sum_lines)"
  kill -0 "$bulk" 2>/dev/null && alive=1
  read -r -a lat <<<"$(latency_of "$o")"
  wait "$bulk" || log "run $run: $path: the bulk iperf3 beside the latency test failed"
  unset 'pids[${#pids[@]}-1]' # it has ended; the trap need not stop it
  cat "$tmp/bulk.txt" >>"$tmp/iperf3-client.log"
  if [[ $alive -eq 0 || $((n1 - n0)) -lt $((2 * dur - 1)) ]]; then
    log "run $run: $path: the bulk load${rate:+ at $rate Gbit/s} did not run through the latency" \
      "test (intervals $n0 -> $n1 of ${dur}s at 0.5 s, still running: $alive); left out"
    return
  fi
  # The bulk streams' mean throughput over the intervals reported during the wrk run.
  j="$(python3 - "$tmp/bulk.txt" "$n0" "$n1" <<'EOF'
import re, sys
scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
rates = [float(m.group(1)) * scale[m.group(2)] / 1e9
         for line in open(sys.argv[1]) if line.startswith("[SUM]")
         for m in [re.search(r"([\d.]+) ([KMG]?)bits/sec", line)] if m]
during = rates[int(sys.argv[2]):int(sys.argv[3])]
print(sum(during) / len(during) if during else 0)
EOF
)"
  record "$run" "$path" "p50_loaded${sfx}_us" "${lat[0]}"
  record "$run" "$path" "p99_loaded${sfx}_us" "${lat[1]}"
  record "$run" "$path" "bulk_loaded${sfx}_gbps" "$j"
  record "$run" "$path" "busy_loaded${sfx}_pct" \
    "$(python3 -c "b, i = $b1 - $b0, $i1 - $i0; print(100 * b / (b + i) if b + i else '')")"
}

measure_path() { # run path iperf-port http-port
  local run="$1" path="$2" pi="$3" ph="$4" url
  url="http://127.0.0.1:$ph/1k.bin"
  log "run $run: $path"
  measured "$run" "$path" iperf1_gbps GB gbps "$pi" 1
  measured "$run" "$path" iperf8_gbps GB gbps "$pi" 8
  measured "$run" "$path" rps_keepalive req wrk_rps "$url" 50
  measured "$run" "$path" rps_close req wrk_rps "$url" 50 -H 'Connection: close'
  local lat
  read -r -a lat <<<"$(wrk_latency "$url")"
  record "$run" "$path" p50_us "${lat[0]}"
  record "$run" "$path" p99_us "${lat[1]}"
  latency_loaded "$run" "$path" "$pi" "$url"
  local rate
  for rate in "${bulk_rate_list[@]+"${bulk_rate_list[@]}"}"; do
    latency_loaded "$run" "$path" "$pi" "$url" "$rate"
  done
}

warm_path() { # iperf-port http-port: the same warm-up for every path (the JVM's JIT needs it most)
  local url="http://127.0.0.1:$2/1k.bin"
  iperf "$1" 2 "$warm" >/dev/null
  wrk -t 2 -c 50 -d "${warm}s" "$url" >/dev/null 2>&1 || true
  wrk -t 2 -c 50 -d "${warm}s" -H 'Connection: close' "$url" >/dev/null 2>&1 || true
  wrk -t 1 -c 1 -d "${warm}s" "$url" >/dev/null 2>&1 || true
}
log "warm-up: ${warm}s of each test on each path"
wanted() { [[ ",$only," == *",$1,"* ]]; }
wanted direct && warm_path "$p_iperf" "$p_http"
wanted stunnel && warm_path "$p_st_iperf" "$p_st_http"
wanted ssh && warm_path "$p_ssh_iperf" "$p_ssh_http"
wanted go-yamux && warm_path "$p_gy_iperf" "$p_gy_http"
wanted tls-tunnel && warm_path "$p_tt_iperf" "$p_tt_http"
wanted tls-tunnel-wss && warm_path "$p_tw_iperf" "$p_tw_http"
wanted tls-tunnel-h2 && warm_path "$p_th_iperf" "$p_th_http"
wanted tls-tunnel-nio && warm_path "$p_tn_iperf" "$p_tn_http"
wanted tls-tunnel-epoll && warm_path "$p_te_iperf" "$p_te_http"
wanted tls-tunnel-io_uring && warm_path "$p_tu_iperf" "$p_tu_http"

for ((run = 1; run <= runs; run++)); do
  record "$run" machine loadavg1 "$(cut -d' ' -f1 /proc/loadavg)"
  if wanted direct; then measure_path "$run" direct "$p_iperf" "$p_http"; fi
  if wanted stunnel; then measure_path "$run" stunnel "$p_st_iperf" "$p_st_http"; fi
  if wanted ssh; then measure_path "$run" ssh "$p_ssh_iperf" "$p_ssh_http"; fi
  if wanted go-yamux; then measure_path "$run" go-yamux "$p_gy_iperf" "$p_gy_http"; fi
  if wanted tls-tunnel; then measure_path "$run" tls-tunnel "$p_tt_iperf" "$p_tt_http"; fi
  if wanted tls-tunnel-wss; then measure_path "$run" tls-tunnel-wss "$p_tw_iperf" "$p_tw_http"; fi
  if wanted tls-tunnel-h2; then measure_path "$run" tls-tunnel-h2 "$p_th_iperf" "$p_th_http"; fi
  if wanted tls-tunnel-nio; then
    measure_path "$run" tls-tunnel-nio "$p_tn_iperf" "$p_tn_http"
  fi
  if wanted tls-tunnel-epoll; then
    measure_path "$run" tls-tunnel-epoll "$p_te_iperf" "$p_te_http"
  fi
  if wanted tls-tunnel-io_uring; then
    measure_path "$run" tls-tunnel-io_uring "$p_tu_iperf" "$p_tu_http"
  fi
done

# Peak RSS of the forwarding processes over all runs.
record all stunnel rss_server_mb "$(($(hwm_kb "$pid_stunnel_server") / 1024))"
record all stunnel rss_client_mb "$(($(hwm_kb "$pid_stunnel_client") / 1024))"
record all ssh rss_server_mb "$(($(hwm_kb "$pid_sshd" tree) / 1024))"
record all ssh rss_client_mb "$(($(hwm_kb "$pid_ssh") / 1024))"
record all tls-tunnel rss_server_mb "$(($(hwm_kb "$pid_tt_server") / 1024))"
record all tls-tunnel rss_client_mb "$(($(hwm_kb "$pid_tt_client") / 1024))"
for t in gy:go-yamux tw:tls-tunnel-wss th:tls-tunnel-h2 tn:tls-tunnel-nio te:tls-tunnel-epoll tu:tls-tunnel-io_uring; do
  s="pid_${t%%:*}_server"; c="pid_${t%%:*}_client"
  if [[ -n "${!s}" ]]; then
    record all "${t#*:}" rss_server_mb "$(($(hwm_kb "${!s}") / 1024))"
    record all "${t#*:}" rss_client_mb "$(($(hwm_kb "${!c}") / 1024))"
  fi
done

# Idle connections through tls-tunnel: hold them open, then read both JVMs' memory.
log "holding $idle_conns idle connections through tls-tunnel"
python3 "$here/idle_conns.py" hold --port "$p_tt_idle" --sink-port "$p_idle" --count "$idle_conns" \
  --pids "$pid_tt_server,$pid_tt_client" --names server,client >"$tmp/idle.tsv" \
  || log "some idle connections failed (see the table)"
while IFS=$'\t' read -r k v; do record all tls-tunnel "$k" "$v"; done <"$tmp/idle.tsv"

python3 "$here/report.py" "$results" --machine
