#!/usr/bin/env bash
# Builds the release archive tls-tunnel-VERSION-linux-x64.tar.gz: a Java runtime trimmed by jlink
# to the JDK modules tls-tunnel uses, the shaded jar with a class-data sharing archive made for
# that runtime (build-cds.sh), the launcher and the docs. It runs on a machine with no Java
# installed.
# Usage: build-archive.sh VERSION REPO_ROOT OUTPUT_DIR JAVA_HOME
set -euo pipefail

version="$1"
repo="$2"
out="$3"
jdk="$4"

# The JDK modules the jar uses (jdeps --print-module-deps on the jar, less the ones only optional
# code paths use: java.desktop and java.sql for Jackson's java.beans and java.sql types), plus
# jdk.crypto.ec, which jdeps cannot see: it provides EC keys, ECDSA and ECDHE to the JDK's TLS
# (before JDK 22 it is not part of java.base). DistArchiveIT checks the list against jdeps.
modules="java.base,java.logging,java.naming,java.net.http,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.jfr,jdk.unsupported"

name="tls-tunnel-$version-linux-x64"
stage="$out/dist-stage"
home="$stage/$name"
jar="$repo/tunnel-cli/target/tls-tunnel.jar"
[[ -f "$jar" ]] || { echo "build-archive: $jar is missing; build tunnel-cli first" >&2; exit 1; }

rm -rf "$stage" "$out/$name.tar.gz"
mkdir -p "$home/lib" "$home/docs"
"$jdk/bin/jlink" \
  --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files \
  --output "$home/runtime"
# The launcher reads this instead of probing the runtime at every start.
if "$home/runtime/bin/java" -XX:TrimNativeHeapInterval=2000 -version >/dev/null 2>&1; then
  echo yes >"$home/runtime/trim-native-heap"
else
  echo no >"$home/runtime/trim-native-heap"
fi
install -m 0755 "$repo/tls-tunnel" "$home/tls-tunnel"
install -m 0644 "$jar" "$home/lib/tls-tunnel.jar"
# Netty's Linux x86-64 native libraries (BoringSSL, io_uring, epoll) go beside the jar, and the
# other platforms' out of it: Netty copies a library it finds in its jar to a temporary file at
# every start (3 MB for BoringSSL), which costs start-up time and fails where /tmp is mounted
# noexec; from lib/native the JVM loads them in place (the launcher sets java.library.path).
mkdir -p "$home/lib/native"
unzip -q -j -d "$home/lib/native" "$jar" \
  META-INF/native/libnetty_tcnative_linux_x86_64.so \
  'META-INF/native/libnetty_transport_native_io_uring*_x86_64.so' \
  META-INF/native/libnetty_transport_native_epoll_x86_64.so
chmod 0644 "$home/lib/native"/*
zip -q -d "$home/lib/tls-tunnel.jar" 'META-INF/native/*.so' 'META-INF/native/*.jnilib' \
  'META-INF/native/*.dll'
bash "$repo/tunnel-dist/src/dist/build-cds.sh" "$home" "$out/cds-training"
install -m 0644 "$repo/README.md" "$home/README.md"
for doc in CONFIG.md PROTOCOL.md SECURITY.md RELIABILITY.md PERFORMANCE.md; do
  install -m 0644 "$repo/docs/$doc" "$home/docs/$doc"
done
# Reproducible order and owners; the modification times are the build's.
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$out/$name.tar.gz" "$name"
rm -rf "$stage"
echo "build-archive: wrote $out/$name.tar.gz ($(du -k "$out/$name.tar.gz" | cut -f1) KiB)"
