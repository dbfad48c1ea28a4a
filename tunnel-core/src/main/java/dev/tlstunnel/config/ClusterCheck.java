package dev.tlstunnel.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The value rules of {@code [server.cluster]}; every message names its key. */
final class ClusterCheck {
  private static final String KEY = "server.cluster";

  private ClusterCheck() {}

  /** {@code c} with its defaults filled in; null stays null (no cluster). */
  static ClusterConfig check(ClusterConfig c, Problems p) {
    if (c == null) {
      return null;
    }
    endpoints(c.etcdEndpoints(), p);
    if (c.nodeId() == null) {
      p.error(KEY + ".node_id", "missing required key");
    } else {
      Checks.name(c.nodeId(), KEY + ".node_id", p);
    }
    peerAddr(c.peerAddr(), p);
    Duration ttl =
        Checks.duration(
            c.leaseTtl(), ClusterConfig.DEFAULT_LEASE_TTL, false, KEY + ".lease_ttl", p);
    if (ttl.compareTo(Duration.ofSeconds(2)) < 0) {
      p.error(
          KEY + ".lease_ttl",
          "must be at least 2s (etcd counts in seconds), got " + Checks.fmt(ttl));
    }
    Checks.readableFile(c.etcdCaCert(), false, KEY + ".etcd_ca_cert_path", p);
    Checks.readableFile(c.etcdCert(), c.etcdKey() != null, KEY + ".etcd_cert_path", p);
    Checks.readableFile(c.etcdKey(), c.etcdCert() != null, KEY + ".etcd_key_path", p);
    Checks.readableFile(c.peerCaCert(), true, KEY + ".peer_ca_cert_path", p);
    Checks.readableFile(c.peerCert(), true, KEY + ".peer_cert_path", p);
    Checks.readableFile(c.peerKey(), true, KEY + ".peer_key_path", p);
    return new ClusterConfig(
        c.etcdEndpoints(),
        c.nodeId(),
        c.peerAddr(),
        Checks.address(c.publishAddr(), null, KEY + ".publish_addr", p),
        ttl,
        c.etcdCaCert(),
        c.etcdCert(),
        c.etcdKey(),
        c.peerCaCert(),
        c.peerCert(),
        c.peerKey());
  }

  private static void endpoints(List<String> endpoints, Problems p) {
    if (endpoints.isEmpty()) {
      p.error(KEY + ".etcd_endpoints", "must list at least one etcd endpoint");
    }
    for (int i = 0; i < endpoints.size(); i++) {
      String key = KEY + ".etcd_endpoints[" + i + "]";
      try {
        URI u = new URI(endpoints.get(i));
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null
            || u.getPort() < 1) {
          p.error(
              key,
              "expected http://host:port or https://host:port, got '" + endpoints.get(i) + "'");
        }
      } catch (java.net.URISyntaxException e) {
        p.error(
            key, "expected http://host:port or https://host:port, got '" + endpoints.get(i) + "'");
      }
    }
  }

  private static void peerAddr(String addr, Problems p) {
    String key = KEY + ".peer_addr";
    if (addr == null) {
      p.error(key, "missing required key");
      return;
    }
    int colon = addr.lastIndexOf(':');
    int port = -1;
    try {
      port = colon > 0 ? Integer.parseInt(addr.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      p.error(key, "expected host:port with a port from 1 to 65535, got '" + addr + "'");
    }
  }
}
