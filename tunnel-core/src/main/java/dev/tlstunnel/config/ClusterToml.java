package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.List;

/** Maps {@code [server.cluster]}; value rules are {@link ClusterCheck}'s. */
final class ClusterToml {
  static final List<String> KEYS =
      List.of(
          "etcd_endpoints",
          "node_id",
          "peer_addr",
          "publish_addr",
          "lease_ttl",
          "etcd_ca_cert_path",
          "etcd_cert_path",
          "etcd_key_path",
          "peer_ca_cert_path",
          "peer_cert_path",
          "peer_key_path");

  private ClusterToml() {}

  /** The cluster settings, or null without {@code [server.cluster]}. */
  static ClusterConfig cluster(TomlTable server, Path baseDir) {
    TomlTable c = server.table("cluster", KEYS);
    if (c == null) {
      return null;
    }
    c.require("etcd_endpoints", "node_id", "peer_addr");
    return new ClusterConfig(
        c.has("etcd_endpoints") ? c.strings("etcd_endpoints") : List.of(),
        c.string("node_id"),
        c.string("peer_addr"),
        c.string("publish_addr"),
        c.duration("lease_ttl"),
        c.path("etcd_ca_cert_path", baseDir),
        c.path("etcd_cert_path", baseDir),
        c.path("etcd_key_path", baseDir),
        c.path("peer_ca_cert_path", baseDir),
        c.path("peer_cert_path", baseDir),
        c.path("peer_key_path", baseDir));
  }
}
