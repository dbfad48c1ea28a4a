#!/usr/bin/env bash
# Writes lib/tls-tunnel.jsa into an unpacked release layout: a class-data sharing archive of the
# classes tls-tunnel loads, so a start maps them ready-parsed instead of loading them from the jar.
# An archive works only with the JVM build that wrote it, so the bundled runtime writes it itself,
# after training runs of what users start most: --version, template, check, and a server and a
# client started from config files until the client is registered, with status read from it. Only
# those classes: the whole archive is resident in every process (the JVM relocates it at start,
# touching each page), so classes of rarer commands (cert, demo) would cost memory everywhere.
#
# The archive records the class path it was written with, and the JVM refuses it when the path at
# run time differs. The launcher therefore runs the jar as /proc/self/fd/9 (the jar opened on
# descriptor 9), and so does this script: the recorded path is the same wherever the archive is
# unpacked. The JVM also checks the jar's size and modification time; a replaced jar, another
# runtime or other memory flags make it skip the archive without a word (docs/PERFORMANCE.md).
# Usage: build-cds.sh HOME WORK_DIR
set -euo pipefail

home="$1"
work="$2"
java="$home/runtime/bin/java"
jar="$home/lib/tls-tunnel.jar"
archive="$home/lib/tls-tunnel.jsa"
# The launcher's heap flags (the archive is written for the compressed pointers they imply) and its
# library path, so that the training runs load BoringSSL and io_uring as the launcher's do.
flags=(-XX:+UseSerialGC -Xmx128m "-Djava.library.path=$home/lib/native")

rm -rf "$work"
mkdir -p "$work"
train() { # name, then the command's arguments
  local name="$1"
  shift
  (cd "$work" && HOME="$work" "$java" "${flags[@]}" -XX:DumpLoadedClassList="$work/$name.classes" \
    -jar /proc/self/fd/9 "$@" 9<"$jar" >"$work/$name.log" 2>&1) || {
    echo "build-cds: training run '$*' failed:" >&2
    cat "$work/$name.log" >&2
    exit 1
  }
}
train version --version
train template-server template server -o server.toml
train template-client template client -o client.toml
# The key pair, not recorded: its classes are the cert command's alone.
(cd "$work" && HOME="$work" "$java" -jar "$jar" cert --common-name localhost \
  --cert-out server.crt --key-out server.key >"$work/cert.log" 2>&1) || {
  cat "$work/cert.log" >&2
  exit 1
}
train check check -c server.toml

free_port() { # a loopback port nothing listens on, above the ephemeral range (to 60999)
  local p
  while :; do
    p=$((61000 + RANDOM % 4500))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || {
      echo "$p"
      return
    }
  done
}
wait_port() { # port, pid: until the port accepts, while the process lives (60 s at most)
  local i
  for ((i = 0; i < 600; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
pids=()
stop_all() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do
    kill -TERM "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
}
trap stop_all EXIT
start() { # name, then the command's arguments
  local name="$1"
  shift
  (cd "$work" && HOME="$work" exec "$java" "${flags[@]}" \
    -XX:DumpLoadedClassList="$work/$name.classes" -jar /proc/self/fd/9 "$@" 9<"$jar" \
    >"$work/$name.log" 2>&1) &
  pids+=("$!")
}
auth="$(grep '^auth_key' "$work/server.toml")"
fingerprint="$(grep -o 'sha256:[0-9a-f]*' "$work/cert.log" | head -1)"
# A server and a client on free ports; another process may take a port between the check and the
# bind, so up to three tries.
train_tunnel() {
  local bind_port publish_port admin_port
  bind_port="$(free_port)"
  publish_port="$(free_port)"
  admin_port="$(free_port)"
  printf '[server]\nbind_addr = "127.0.0.1"\nbind_port = %s\ncert_path = "server.crt"\nkey_path = "server.key"\n%s\n' \
    "$bind_port" "$auth" >"$work/train-server.toml"
  printf '[client]\nserver_addr = "127.0.0.1"\nserver_port = %s\n%s\nserver_fingerprint = "%s"\nclient_id = "train"\nadmin_port = %s\n\n[[proxies]]\nname = "web"\npublish_addr = "127.0.0.1"\npublish_port = %s\nlocal_port = %s\n' \
    "$bind_port" "$auth" "$fingerprint" "$admin_port" "$publish_port" "$(free_port)" \
    >"$work/train-client.toml"
  chmod 0600 "$work"/train-*.toml
  start server server -c train-server.toml
  wait_port "$bind_port" "${pids[0]}" || return 1
  start client client -c train-client.toml
  wait_port "$publish_port" "${pids[1]}" || return 1
  # A connection through the tunnel (the local service is absent: the client reports that).
  (exec 3<>"/dev/tcp/127.0.0.1/$publish_port" && sleep 0.5) 2>/dev/null || true
  train status status -c train-client.toml
}
for try in 1 2 3; do
  if train_tunnel; then
    break
  fi
  stop_all
  if [[ "$try" == 3 ]]; then
    echo "build-cds: training: the server or client did not start; logs:" >&2
    cat "$work"/server.log "$work"/client.log >&2
    exit 1
  fi
done
# The client first, so that the server has no tunnel to drain.
kill -TERM "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
stop_all
trap - EXIT
# Every class once, in the order first loaded.
cat "$work"/*.classes | awk '!seen[$0]++' >"$work/all.classlist"
rm -f "$archive"
"$java" "${flags[@]}" -Xshare:dump -XX:SharedClassListFile="$work/all.classlist" \
  -XX:SharedArchiveFile="$archive" -cp /proc/self/fd/9 9<"$jar" >"$work/dump.log" 2>&1 || {
  echo "build-cds: writing the archive failed:" >&2
  tail -20 "$work/dump.log" >&2
  exit 1
}
chmod 0644 "$archive"
echo "build-cds: wrote $archive ($(du -k "$archive" | cut -f1) KiB, $(grep -cv '^[#@]' "$work/all.classlist") classes listed)"
rm -rf "$work"
