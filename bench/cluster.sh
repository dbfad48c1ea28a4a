#!/usr/bin/env bash
# The cost of the peer-link hop in a cluster, in one run: an etcd, two servers (127.0.0.11 and
# 127.0.0.12) and a client connected to the first. The same published ports are reached on the
# server holding the client (direct) and on the other one (through the peer link): one iperf3
# stream each, and the p50 round trip of one connection sending one byte at a time. Installs
# nothing; needs etcd (etcd-server), iperf3, openssl, java, python3 and the CLI jar (README.md).
#
#   bench/cluster.sh [--seconds N] [--port-base P] [--keep]
#
# Every process it starts is stopped by a trap, also on failure or Ctrl+C.
set -euo pipefail

seconds=10
port_base=29000
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --port-base) port_base="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown option $1" >&2; exit 1 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=tunnel-cli/target/tls-tunnel.jar
for tool in etcd iperf3 openssl java python3; do
  command -v "$tool" >/dev/null || { echo "cluster.sh: $tool not found" >&2; exit 1; }
done
[[ -f $jar ]] || { echo "cluster.sh: $jar missing (mvn -B -q -DskipTests package)" >&2; exit 1; }

p() { echo $((port_base + $1)); }
declare -A addr=(
  [etcd]="127.0.0.1:$(p 1)" [etcd_peer]="127.0.0.1:$(p 2)"
  [s1]="127.0.0.11:$(p 11)" [s1_peer]="127.0.0.11:$(p 12)"
  [s2]="127.0.0.12:$(p 21)" [s2_peer]="127.0.0.12:$(p 22)"
  [iperf_local]="127.0.0.1:$(p 31)" [echo_local]="127.0.0.1:$(p 32)"
  [iperf_pub1]="127.0.0.11:$(p 41)" [iperf_pub2]="127.0.0.12:$(p 41)"
  [echo_pub1]="127.0.0.11:$(p 42)" [echo_pub2]="127.0.0.12:$(p 42)"
)
for a in "${addr[@]}"; do
  python3 - "$a" <<'EOF' || { echo "cluster.sh: $a is in use; pick another --port-base" >&2; exit 1; }
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((host, int(port))); s.close()
EOF
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $keep == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=bench -addext "subjectAltName=IP:127.0.0.11,IP:127.0.0.12" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$work/key.pem" -out "$work/key8.pem"
auth_key="$(openssl rand -hex 24)"

etcd --name bench --data-dir "$work/etcd" --listen-client-urls "http://${addr[etcd]}" \
  --advertise-client-urls "http://${addr[etcd]}" --listen-peer-urls "http://${addr[etcd_peer]}" \
  --initial-advertise-peer-urls "http://${addr[etcd_peer]}" \
  --initial-cluster "bench=http://${addr[etcd_peer]}" >"$work/etcd.log" 2>&1 &
pids+=($!)

server() { # node tunnel peer
  local node=$1 host=${2%:*} port=${2#*:}
  chmod 600 "$work" 2>/dev/null || true
  cat >"$work/$node.toml" <<EOF
[server]
bind_addr = "$host"
bind_port = $port
cert_path = "$work/cert.pem"
key_path = "$work/key8.pem"
auth_key = "$auth_key"
[server.cluster]
etcd_endpoints = ["http://${addr[etcd]}"]
node_id = "$node"
peer_addr = "$3"
publish_addr = "$host"
peer_ca_cert_path = "$work/cert.pem"
peer_cert_path = "$work/cert.pem"
peer_key_path = "$work/key8.pem"
EOF
  chmod 600 "$work/$node.toml"
  java -jar "$jar" server -c "$work/$node.toml" >"$work/$node.log" 2>&1 &
  pids+=($!)
}

wait_for() { # file text
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "cluster.sh: no '$2' in $1:" >&2; tail -20 "$1" >&2; exit 1
}

sleep 1
server n1 "${addr[s1]}" "${addr[s1_peer]}"
server n2 "${addr[s2]}" "${addr[s2_peer]}"
wait_for "$work/n1.log" "Server listening on"
wait_for "$work/n2.log" "Server listening on"

iperf3 -s -B 127.0.0.1 -p "${addr[iperf_local]#*:}" >"$work/iperf3-server.log" 2>&1 &
pids+=($!)
python3 - "${addr[echo_local]#*:}" >"$work/echo.log" 2>&1 <<'EOF' &
import socket, sys, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(16)
def echo(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while (d := c.recv(65536)):
        c.sendall(d)
    c.close()
while True:
    threading.Thread(target=echo, args=(srv.accept()[0],), daemon=True).start()
EOF
pids+=($!)

cat >"$work/client.toml" <<EOF
[client]
server_addr = ["${addr[s1]}", "${addr[s2]}"]
auth_key = "$auth_key"
ca_cert_path = "$work/cert.pem"
client_id = "bench"
[[proxies]]
name = "iperf"
publish_port = ${addr[iperf_pub1]#*:}
local_port = ${addr[iperf_local]#*:}
[[proxies]]
name = "echo"
publish_port = ${addr[echo_pub1]#*:}
local_port = ${addr[echo_local]#*:}
EOF
chmod 600 "$work/client.toml"
java -jar "$jar" client -c "$work/client.toml" >"$work/client.log" 2>&1 &
pids+=($!)
wait_for "$work/client.log" "Proxy 'iperf' healthy"
wait_for "$work/client.log" "Proxy 'echo' healthy"
wait_for "$work/n2.log" "Proxy 'echo' listening"

p50() { # host:port
  python3 - "$1" <<'EOF'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port))); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
times = []
for i in range(3000):
    t = time.perf_counter_ns(); s.sendall(b"x"); s.recv(1); times.append(time.perf_counter_ns() - t)
times = sorted(times[500:])
print(f"{times[len(times) // 2] / 1000:.0f}")
EOF
}
gbits() { # host:port
  iperf3 -c "${1%:*}" -p "${1#*:}" -t "$seconds" -J | python3 -c \
    'import json,sys; r = json.load(sys.stdin); print("%.2f" % (r["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
direct_gbits=$(gbits "${addr[iperf_pub1]}")
hop_gbits=$(gbits "${addr[iperf_pub2]}")
direct_p50=$(p50 "${addr[echo_pub1]}")
hop_p50=$(p50 "${addr[echo_pub2]}")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| path | iperf3, 1 stream | p50 round trip |"
echo "|---|---|---|"
echo "| to the server holding the client (127.0.0.11) | $direct_gbits Gbit/s | $direct_p50 µs |"
echo "| to the other server, over the peer link (127.0.0.12) | $hop_gbits Gbit/s | $hop_p50 µs |"
python3 -c "print(f'| hop / direct | {float($hop_gbits) / float($direct_gbits):.2f} | {float($hop_p50) / float($direct_p50):.2f} |')"
