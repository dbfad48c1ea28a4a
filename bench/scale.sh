#!/usr/bin/env bash
# Scale run: 10,000 concurrent streams through one tls-tunnel session with checksummed payloads.
#
#   mvn -B -q -DskipTests package && mvn -B -q -Pbench -pl tunnel-bench -am -DskipTests package
#   bench/scale.sh [--streams N] [--payload BYTES] [--rounds R] [--cli] [--port-base P]
#
# Four processes, so that none needs more than ~10,000 descriptors: an echo service, the tunnel
# server and client, and the load generator. The tunnel runs from tunnel-bench's ScaleTunnel (a JVM
# without extra flags) with a yamux stream limit of 16,384; --cli runs the shipped CLI instead,
# through the ./tls-tunnel launcher and its JVM flags, with its default limits (16,384 streams per
# session and connections per proxy). Prints the load average, memory of both JVMs and the error
# count, and exits 1 on any error. Every process is stopped by a trap.
set -euo pipefail

streams=10000
payload=16384
rounds=2
cli=0
port_base=28000

while [[ $# -gt 0 ]]; do
  case "$1" in
    --streams) streams="$2"; shift 2 ;;
    --payload) payload="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --cli) cli=1; shift ;;
    --port-base) port_base="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cli_jar="$root/tunnel-cli/target/tls-tunnel.jar"
bench_jar="$root/tunnel-bench/target/benchmarks.jar"
if [[ $cli -eq 1 ]]; then
  [[ -f "$cli_jar" ]] || { echo "scale.sh: build $cli_jar first: mvn -B -q -DskipTests package" >&2; exit 1; }
  run_server=("$root/tls-tunnel" server -c)
  run_client=("$root/tls-tunnel" client -c)
  limit_note="shipped CLI through ./tls-tunnel, default limits"
else
  [[ -f "$bench_jar" ]] || { echo "scale.sh: build $bench_jar first: mvn -B -q -Pbench -pl tunnel-bench -am -DskipTests package" >&2; exit 1; }
  run_server=(java ${JAVA_OPTS:-} -cp "$bench_jar" dev.tlstunnel.bench.ScaleTunnel server)
  run_client=(java ${JAVA_OPTS:-} -cp "$bench_jar" dev.tlstunnel.bench.ScaleTunnel client)
  limit_note="ScaleTunnel, stream limit 16384"
fi
ulimit -n "$(ulimit -Hn)"
if [[ "$(ulimit -n)" -lt $((streams + 500)) ]]; then
  echo "scale.sh: open-files limit $(ulimit -n) is below $streams streams + 500" >&2
  exit 1
fi

tmp="$(mktemp -d /tmp/tls-tunnel-scale.XXXXXX)"
# The configs hold the auth key: owner-only, as the tunnel asks.
umask 077
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
  if [[ $rc -ne 0 ]]; then
    echo "scale.sh: logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_port() {
  for ((t = 0; t < 300; t++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "scale.sh: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

p_echo=$((port_base + 1)); p_tunnel=$((port_base + 2)); p_public=$((port_base + 3))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$tmp/server.key" -out "$tmp/server.crt" >/dev/null 2>&1
key="$(openssl rand -hex 24)"
cat >"$tmp/server.toml" <<CONF
[server]
bind_addr = "127.0.0.1"
bind_port = $p_tunnel
cert_path = "$tmp/server.crt"
key_path = "$tmp/server.key"
auth_key = "$key"
CONF
cat >"$tmp/client.toml" <<CONF
[client]
server_addr = "127.0.0.1"
server_port = $p_tunnel
auth_key = "$key"
ca_cert_path = "$tmp/server.crt"
client_id = "scale"

[[proxies]]
name = "echo"
publish_addr = "127.0.0.1"
publish_port = $p_public
local_addr = "127.0.0.1"
local_port = $p_echo
CONF

python3 "$here/scale.py" echo --port "$p_echo" >"$tmp/echo.log" 2>&1 &
pids+=("$!")
"${run_server[@]}" "$tmp/server.toml" $([[ $cli -eq 0 ]] && echo 16384) >"$tmp/server.log" 2>&1 &
server_pid=$!; pids+=("$server_pid")
wait_port "$p_echo"
# Wait for the server's log line rather than probing its port (a probe is a failed handshake).
for ((t = 0; t < 300; t++)); do
  grep -q "listening on" "$tmp/server.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "scale.sh: the tunnel server exited" >&2; cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
"${run_client[@]}" "$tmp/client.toml" $([[ $cli -eq 0 ]] && echo 16384) >"$tmp/client.log" 2>&1 &
client_pid=$!; pids+=("$client_pid")
wait_port "$p_public"

echo "scale run: $streams streams through one tunnel ($limit_note), $rounds x $payload B each"
echo "machine: $(nproc) CPUs, $(uname -r), $(java -version 2>&1 | head -1), open-files limit $(ulimit -n)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
python3 "$here/scale.py" load --port "$p_public" --count "$streams" --payload "$payload" \
  --rounds "$rounds" --pids "$server_pid,$client_pid" --names server,client || rc=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for side in server client; do
  n="$(grep -c -E ' (WARN|ERROR) ' "$tmp/$side.log" || true)"
  echo "tunnel $side log: $n warnings/errors"
  grep -E ' (WARN|ERROR) ' "$tmp/$side.log" \
    | sed -E 's/^[0-9-]+ [0-9:.]+ //; s#/127\.0\.0\.1:[0-9]+#/127.0.0.1:*#g' \
    | sort | uniq -c | sort -rn | head -5 || true
done
exit $rc
