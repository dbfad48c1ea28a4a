#!/usr/bin/env bash
# Profiles the new-connection path of tls-tunnel: nginx with a 1 KiB file behind one tunnel, wrk
# with "Connection: close" (every request on a new connection). Prints requests/s and the CPU time
# both sides spent per new connection + request (unprofiled), with --syscalls the system calls per
# connection on each side (strace -c), then samples both JVMs with async-profiler and writes one
# flame graph per side (SVG, DIR/flame-newconn-NAME-server.svg and -client.svg).
# With --workload stream it profiles one bulk stream instead: iperf3 -P 1 through the tunnel, the
# throughput and each process's CPU seconds per GB (both sides and iperf3's two ends), and the
# flame graphs DIR/flame-stream-NAME-server.svg and -client.svg.
#
#   bench/profile-connections.sh [--out DIR] [--seconds N] [--warmup N] [--event cpu|itimer|alloc]
#                                [--transport nio|epoll|io_uring] [--name NAME] [--syscalls]
#                                [--workload close|stream] [--no-profile] [--keep] [--port-base N]
# Ports N+1..N+3 on 127.0.0.1 (default 29000); NAME defaults to the transport.
# The warm-up (default 20 s of the same load, unprofiled) lets the JIT compile the path first.
#
# Needs wrk and nginx (iperf3 for --workload stream), openssl, python3 and Maven (async-profiler comes from Maven Central:
# tools.profiler:async-profiler), attached to both JVMs after the warm-up with jcmd.
set -euo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/docs/images"
seconds=20
warmup=20
transport=nio
name=""
syscalls=0
profile=1
event=cpu
keep=0
port_base=29000
ap_version=4.2
workload=close

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --transport) transport="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --syscalls) syscalls=1; shift ;;
    --no-profile) profile=0; shift ;;
    --event) event="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --workload) workload="$2"; shift 2 ;;
    --port-base) port_base="$2"; shift 2 ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "profile-connections.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

[[ -n "$name" ]] || name="$transport"
case "$workload" in
  close) tools="wrk nginx" ;;
  stream) tools="iperf3" ;;
  *) echo "profile-connections.sh: --workload is close or stream, not $workload" >&2; exit 2 ;;
esac
for tool in $tools openssl python3 mvn; do
  command -v "$tool" >/dev/null || { echo "profile-connections.sh: missing $tool" >&2; exit 1; }
done

tmp="$(mktemp -d /tmp/tls-tunnel-profile.XXXXXX)"
chmod 755 "$tmp"
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $keep -eq 0 ]]; then rm -rf "$tmp"; else echo "logs in $tmp" >&2; fi
  exit $rc
}
trap cleanup EXIT
log() { echo "[profile $(date +%T)] $*" >&2; }
wait_port() { # port [seconds]
  for ((t = 0; t < ${2:-30} * 10; t++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "profile-connections.sh: nothing listens on 127.0.0.1:$1" >&2
  return 1
}
start() {
  local name="$1"; shift
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  eval "pid_$name=$!"
}
cpu_ticks() { # pid... -> utime+stime of all, in clock ticks
  local sum=0 p
  for p in "$@"; do
    read -r -a f <"/proc/$p/stat"
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}

# async-profiler's agent, from its Maven Central jar
jar_ap="$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar"
[[ -f "$jar_ap" ]] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$ap_version" >&2
(cd "$tmp" && python3 -c "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract('linux-x64/libasyncProfiler.so')" "$jar_ap")
agent="$tmp/linux-x64/libasyncProfiler.so"

p_http=$((port_base + 1)); p_tt=$((port_base + 2)); p_pub=$((port_base + 3))
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
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server { listen 127.0.0.1:$p_http backlog=4096; root $tmp/www; }
}
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
key="$(openssl rand -hex 24)"
cat >"$tmp/server.toml" <<EOF
[server]
bind_addr = "127.0.0.1"
bind_port = $p_tt
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$key"
EOF
cat >"$tmp/client.toml" <<EOF
[client]
server_addr = "127.0.0.1"
server_port = $p_tt
auth_key = "$key"
ca_cert_path = "$tmp/server.crt"
client_id = "profile"

[[proxies]]
name = "http"
publish_addr = "127.0.0.1"
publish_port = $p_pub
local_addr = "127.0.0.1"
local_port = $p_http
EOF

mkdir -p "$out"
if [[ $workload == close ]]; then
  start nginx nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
else
  start iperf3 iperf3 -s -B 127.0.0.1 -p "$p_http"
fi
wait_port "$p_http"
export JAVA_OPTS="-Dtlstunnel.transport=$transport ${JAVA_OPTS:-}"
start server "$root/tls-tunnel" server -c "$tmp/server.toml"
wait_port "$p_tt"
start client "$root/tls-tunnel" client -c "$tmp/client.toml"
wait_port "$p_pub" 90

jcmd_ap() { # pid command; quoted, or jcmd would split the agent's options at their first '='
  "$(dirname "$(readlink -f "$(command -v java)")")/jcmd" "$1" JVMTI.agent_load "$agent" "\"$2\"" >/dev/null
}
profile_sides() { # title-prefix file-prefix command...: samples both JVMs while the command runs
  local title="$1" file="$2" side pid; shift 2
  for side in server client; do
    eval "pid=\$pid_$side"
    # the launcher execs java, so the pid is the JVM's
    jcmd_ap "$pid" "start,event=$event,interval=1ms,file=$tmp/$side.collapsed"
  done
  "$@" >/dev/null
  for side in server client; do
    eval "pid=\$pid_$side"
    jcmd_ap "$pid" "stop,file=$tmp/$side.collapsed,collapsed"
    python3 "$here/flamegraph.py" --title "tls-tunnel $side on $transport, $title ($event)" \
      "$tmp/$side.collapsed" >"$out/$file-$name-$side.svg"
  done
  echo "flame graphs: $out/$file-$name-server.svg $out/$file-$name-client.svg"
}

if [[ $workload == stream ]]; then
  log "warming up for $warmup s"
  # The readiness probe of the public port reaches iperf3 only after it closed, as a connection
  # that sends nothing; iperf3 may fail the test that comes next, so the warm-up gets three tries.
  for try in 1 2 3; do
    ! iperf3 -c 127.0.0.1 -p "$p_pub" -P 1 -t "$warmup" >/dev/null || break
    [[ $try -lt 3 ]] || { echo "profile-connections.sh: iperf3 through the tunnel failed" >&2; exit 1; }
    sleep 1
  done
  iperf_client=(iperf3 -c 127.0.0.1 -p "$p_pub" -P 1 -t "$seconds" -J)
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  declare -A before
  for side in server client iperf3; do eval "before[$side]=\$(cpu_ticks \$pid_$side)"; done
  read -r -a stat0 </proc/stat
  "${iperf_client[@]}" >"$tmp/iperf3.json"
  read -r -a stat1 </proc/stat
  bits="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['end']['sum_received']['bits_per_second'])" "$tmp/iperf3.json")"
  hz="$(getconf CLK_TCK)"
  echo "transport: $transport; load average at start: $load"
  python3 -c "print(f'one stream: {$bits / 1e9:.2f} Gbit/s over $seconds s')"
  # the "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal
  steal=$((stat1[8] - stat0[8])); all=0
  for i in 1 2 3 4 5 6 7 8; do all=$((all + stat1[i] - stat0[i])); done
  idle=$((stat1[4] - stat0[4] + stat1[5] - stat0[5])) # idle and iowait: no CPU ran either
  python3 -c "print(f'the machine meanwhile: {100 * ($all - $idle) / $all:.0f} % busy, {100 * $steal / $all:.1f} % stolen by the host')"
  gb="$(python3 -c "print($bits / 8e9 * $seconds)")"
  for side in server client iperf3; do
    eval "pid=\$pid_$side"
    label="$side"; [[ $side != iperf3 ]] || label="iperf3 server"
    python3 -c "print(f'CPU s per GB, $label: {($(cpu_ticks "$pid") - ${before[$side]}) / $hz / $gb:.3f}')"
  done
  # iperf3's client reports its own CPU share (CPU time / wall time, in %)
  python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['end']['cpu_utilization_percent']
print(f'CPU s per GB, iperf3 client: {c[\"host_total\"] / 100 * $seconds / $gb:.3f}')" "$tmp/iperf3.json"
  sleep 3
  for side in server client; do
    eval "pid=\$pid_$side"
    echo "$side memory 3 s after the stream: $(awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$pid/status")"
  done
  if [[ $profile -eq 1 ]]; then
    profile_sides "one iperf3 stream" flame-stream "${iperf_client[@]}"
  fi
  exit 0
fi

url="http://127.0.0.1:$p_pub/1k.bin"
log "warming up for $warmup s"
wrk -t 2 -c 50 -d "${warmup}s" -H 'Connection: close' "$url" >/dev/null

# 1. unprofiled: requests/s and CPU per new connection + request, both sides together
load="$(cut -d' ' -f1-3 /proc/loadavg)"
before="$(cpu_ticks "$pid_server" "$pid_client")"
wrk -t 2 -c 50 -d "${seconds}s" -H 'Connection: close' "$url" >"$tmp/wrk.txt"
after="$(cpu_ticks "$pid_server" "$pid_client")"
requests="$(awk '/requests in/ {print $1}' "$tmp/wrk.txt")"
errors="$(awk '/Non-2xx|Socket errors/' "$tmp/wrk.txt")"
rate="$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")"
hz="$(getconf CLK_TCK)"
cpu_us="$(python3 -c "print(round(($after-$before)/$hz*1e6/$requests, 1))")"
echo "transport: $transport; load average at start: $load"
echo "requests: $requests in ${seconds}s, $rate req/s ${errors:+($errors)}"
echo "CPU of both sides per new connection + request: $cpu_us us"

# 2. system calls per connection on each side (strace slows both down; only the counts matter)
if [[ $syscalls -eq 1 ]]; then
  command -v strace >/dev/null || { echo "profile-connections.sh: --syscalls needs strace" >&2; exit 1; }
  tracers=()
  for side in server client; do
    eval "pid=\$pid_$side"
    timeout 12 strace -f -c -o "$tmp/strace.$side" -p "$pid" 2>/dev/null &
    tracers+=("$!")
  done
  sleep 1
  wrk -t 1 -c 10 -d 8s -H 'Connection: close' "$url" >"$tmp/wrk-strace.txt"
  wait "${tracers[@]}" || true
  n="$(awk '/requests in/ {print $1}' "$tmp/wrk-strace.txt")"
  for side in server client; do
    echo "system calls per connection, $side ($n connections):"
    awk -v n="$n" '$1 ~ /^[0-9.]+$/ && NF >= 5 {
        calls = $4; name = $NF; if (name == "futex" || name == "restart_syscall" || name == "total") next
        total += calls; printf "  %-16s %6.2f\n", name, calls / n }
      END { printf "  %-16s %6.2f\n", "total", total / n }' "$tmp/strace.$side" | sort -k2 -rn | head -16
  done
fi

# 3. profiled: one flame graph per side
if [[ $profile -eq 1 ]]; then
  profile_sides "Connection: close" flame-newconn wrk -t 2 -c 50 -d "${seconds}s" -H 'Connection: close' "$url"
fi
