package dev.tlstunnel.config;

import dev.tlstunnel.egress.Cidr;
import dev.tlstunnel.egress.PortRange;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks of the publishing settings: the server's edge ({@code allow_ports}, {@code max_ports},
 * {@code state_dir}, {@code port_lease_ttl}, {@code proxy_protocol}, {@code
 * proxy_protocol_trusted}) and each proxy's health check, group and PROXY protocol. Part of {@link
 * ConfigValidator}.
 */
final class PublishingCheck {
  /** Most consecutive results a health check threshold may ask for. */
  static final int MAX_THRESHOLD = 1000;

  /** Most extra request headers of an HTTP health check. */
  static final int MAX_HEADERS = 64;

  /** Longest group key, in characters (the protocol's string bound). */
  static final int MAX_GROUP_KEY = 1024;

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]{0,1023}");
  private static final Pattern STATUS = Pattern.compile("([1-5][0-9][0-9])(?:-([1-5][0-9][0-9]))?");
  private static final Set<String> RESERVED_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection", "upgrade", "te");

  private PublishingCheck() {}

  static EdgeConfig edge(EdgeConfig e, Problems p) {
    EdgeConfig edge = e == null ? EdgeConfig.DEFAULT : e;
    List<String> ports = edge.allowPorts();
    for (int i = 0; i < ports.size(); i++) {
      try {
        PortRange.parse(ports.get(i));
      } catch (IllegalArgumentException ex) {
        p.error("server.allow_ports[" + i + "]", ex.getMessage());
      }
    }
    Checks.atLeast(edge.maxPorts(), 0, "server.max_ports", p);
    Checks.duration(
        edge.portLeaseTtl(), EdgeConfig.DEFAULT_PORT_LEASE_TTL, false, "server.port_lease_ttl", p);
    if (edge.stateDir() != null
        && Files.exists(edge.stateDir())
        && !Files.isDirectory(edge.stateDir())) {
      p.error("server.state_dir", "not a directory: " + edge.stateDir().toAbsolutePath());
    }
    List<String> trusted = edge.proxyProtocolTrusted();
    for (int i = 0; i < trusted.size(); i++) {
      try {
        Cidr.parse(trusted.get(i));
      } catch (IllegalArgumentException ex) {
        p.error("server.proxy_protocol_trusted[" + i + "]", ex.getMessage());
      }
    }
    switch (edge.proxyProtocol()) {
      case REQUIRE -> {
        if (trusted.isEmpty()) {
          p.error(
              "server.proxy_protocol_trusted",
              "required with proxy_protocol = \"require\": list the load balancers that send the"
                  + " header, e.g. [\"10.0.0.5\"] (every other source is refused)");
        }
      }
      case USE -> {
        if (trusted.isEmpty()) {
          p.warn(
              "server.proxy_protocol_trusted",
              "empty with proxy_protocol = \"use\": no source is trusted, so no header is read");
        }
      }
      default -> {
        if (!trusted.isEmpty()) {
          p.warn(
              "server.proxy_protocol_trusted",
              "ignored with proxy_protocol = \"" + edge.proxyProtocol().configName() + "\"");
        }
      }
    }
    return edge;
  }

  /** A proxy's health check, group and PROXY protocol; {@code key} is {@code proxies[2]}. */
  static ProxyFeatures features(ProxyConfig proxy, String key, Problems p) {
    ProxyFeatures f = proxy.features();
    if (f.healthCheck() != null) {
      healthCheck(f.healthCheck(), key + ".health_check", p);
    }
    if (f.loadBalancing() != null) {
      group(f.loadBalancing(), proxy.publishPort(), key, p);
    }
    return f;
  }

  private static void healthCheck(HealthCheck h, String key, Problems p) {
    if (h.type() == null) {
      p.error(key + ".type", "missing required key (tcp, http or https)");
      return;
    }
    Duration interval = Checks.duration(h.interval(), null, false, key + ".interval", p);
    Duration timeout = Checks.duration(h.timeout(), null, false, key + ".timeout", p);
    if (interval == null) {
      p.error(key + ".interval", "missing required key");
    }
    if (timeout == null) {
      p.error(key + ".timeout", "missing required key");
    } else if (interval != null && timeout.compareTo(interval) > 0) {
      p.error(
          key + ".timeout",
          "must not be longer than interval ("
              + Checks.fmt(interval)
              + "), got "
              + Checks.fmt(timeout));
    }
    threshold(h.unhealthyAfter(), key + ".unhealthy_after", p);
    threshold(h.healthyAfter(), key + ".healthy_after", p);
    if (h.type() == HealthCheck.Type.TCP) {
      boolean httpKeys = h.path() != null || h.expectStatus() != null || h.expectBody() != null;
      if (httpKeys || !h.headers().isEmpty()) {
        p.error(
            key + ".type",
            "path, expect_status, expect_body and headers are only for type = \"http\" or"
                + " \"https\"");
      }
      return;
    }
    if (h.path() == null || !PATH.matcher(h.path()).matches()) {
      p.error(key + ".path", "must start with / and hold no spaces, got '" + h.path() + "'");
    }
    statuses(h.expectStatus(), key + ".expect_status", p);
    if (h.expectBody() != null && (h.expectBody().isEmpty() || h.expectBody().length() > 1024)) {
      p.error(key + ".expect_body", "must be 1 to 1024 characters");
    }
    headers(h.headers(), key + ".headers", p);
  }

  private static void threshold(int value, String key, Problems p) {
    if (value < 1 || value > MAX_THRESHOLD) {
      p.error(key, "must be between 1 and " + MAX_THRESHOLD + ", got " + value);
    }
  }

  private static void statuses(List<String> statuses, String key, Problems p) {
    if (statuses == null) {
      return;
    }
    if (statuses.isEmpty()) {
      p.error(key, "must not be empty");
    }
    for (int i = 0; i < statuses.size(); i++) {
      var m = STATUS.matcher(statuses.get(i).strip());
      if (!m.matches() || (m.group(2) != null && m.group(2).compareTo(m.group(1)) < 0)) {
        p.error(
            key + "[" + i + "]",
            "must be a status code (100-599) or a range like \"200-299\", got '"
                + statuses.get(i)
                + "'");
      }
    }
  }

  private static void headers(Map<String, String> headers, String key, Problems p) {
    if (headers.size() > MAX_HEADERS) {
      p.error(key, "at most " + MAX_HEADERS + " headers, got " + headers.size());
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String name = e.getKey();
      if (!TOKEN.matcher(name).matches()) {
        p.error(key + "." + name, "not a valid header name");
      } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        p.error(key + "." + name, "set by the check itself");
      } else if (e.getValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
        p.error(key + "." + name, "must not contain line breaks");
      }
    }
  }

  private static void group(LoadBalancing lb, int publishPort, String key, Problems p) {
    if (lb.group() == null) {
      p.error(key + ".group", "missing required key");
    } else {
      Checks.name(lb.group(), key + ".group", p);
    }
    if (lb.groupKey().length() > MAX_GROUP_KEY) {
      p.error(key + ".group_key", "must be at most " + MAX_GROUP_KEY + " characters");
    } else if (lb.groupKey().isEmpty()) {
      p.warn(
          key + ".group_key",
          "empty: any client of the server may join group '" + lb.group() + "'");
    }
    if (lb.priority() != 0 && lb.strategy() != LoadBalancing.Strategy.FAILOVER) {
      p.warn(key + ".priority", "only counts with strategy = \"failover\"");
    }
    if (publishPort == 0) {
      p.error(
          key + ".publish_port",
          "a member of group '"
              + lb.group()
              + "' needs the group's port: 0 (the server picks) cannot be shared");
    }
  }
}
