package dev.tlstunnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Maps the publishing keys of a TOML tree: the server's {@code allow_ports}, {@code max_ports},
 * {@code state_dir}, {@code port_lease_ttl}, {@code proxy_protocol} and {@code
 * proxy_protocol_trusted}, and a proxy's {@code health_check}, {@code group}, {@code group_key},
 * {@code strategy}, {@code priority} and {@code proxy_protocol}. Like {@link TomlMapping}, it
 * reports unknown keys and wrong types and leaves value rules to {@link PublishingCheck}.
 */
final class PublishingToml {
  static final List<String> HEALTH_CHECK_KEYS =
      List.of(
          "type",
          "interval",
          "timeout",
          "unhealthy_after",
          "healthy_after",
          "path",
          "expect_status",
          "expect_body",
          "headers");

  private PublishingToml() {}

  /** The edge keys of {@code [server]}. */
  static EdgeConfig edge(TomlTable s, Path baseDir) {
    EdgeConfig.ProxyProtocolMode mode = null;
    String modeName = s.string("proxy_protocol");
    if (modeName != null) {
      mode = EdgeConfig.ProxyProtocolMode.fromConfigName(modeName);
      if (mode == null) {
        s.error(
            "proxy_protocol",
            "must be one of ignore, use, require or reject, got '" + modeName + "'");
      }
    }
    Integer maxPorts = s.integer("max_ports");
    return new EdgeConfig(
        s.has("allow_ports") ? s.strings("allow_ports") : List.of(),
        maxPorts == null ? 0 : maxPorts,
        s.path("state_dir", baseDir),
        s.duration("port_lease_ttl"),
        mode,
        s.has("proxy_protocol_trusted") ? s.strings("proxy_protocol_trusted") : List.of());
  }

  /** A proxy's health check, group and PROXY protocol. */
  static ProxyFeatures features(TomlTable t, ProxyType proxyType) {
    return new ProxyFeatures(
        healthCheck(t.table("health_check", HEALTH_CHECK_KEYS), proxyType),
        loadBalancing(t),
        proxyProtocol(t));
  }

  private static HealthCheck healthCheck(TomlTable h, ProxyType proxyType) {
    if (h == null) {
      return null;
    }
    HealthCheck.Type type = proxyType == ProxyType.HTTP_1_1 ? HealthCheck.Type.HTTP : null;
    String typeName = h.string("type");
    if (typeName != null) {
      type = HealthCheck.Type.fromConfigName(typeName);
      if (type == null) {
        h.error("type", "must be one of tcp, http or https, got '" + typeName + "'");
        return null;
      }
    }
    HealthCheck d = HealthCheck.of(type == null ? HealthCheck.Type.TCP : type);
    Duration interval = h.duration("interval");
    Duration timeout = h.duration("timeout");
    Integer unhealthy = h.integer("unhealthy_after");
    Integer healthy = h.integer("healthy_after");
    String path = h.string("path");
    Map<String, String> headers = h.stringMap("headers");
    return new HealthCheck(
        d.type(),
        interval == null ? d.interval() : interval,
        timeout == null ? d.timeout() : timeout,
        unhealthy == null ? d.unhealthyAfter() : unhealthy,
        healthy == null ? d.healthyAfter() : healthy,
        path == null ? d.path() : path,
        statuses(h),
        h.string("expect_body"),
        headers == null ? Map.of() : headers);
  }

  /** {@code expect_status = 200}, or an array of codes and ranges ({@code [200, "300-399"]}). */
  private static List<String> statuses(TomlTable h) {
    if (!h.has("expect_status")) {
      return null;
    }
    if (h.isArray("expect_status")) {
      return h.strings("expect_status");
    }
    Integer one = h.integer("expect_status");
    return one == null ? null : List.of(one.toString());
  }

  private static LoadBalancing loadBalancing(TomlTable t) {
    String group = t.string("group");
    String key = t.string("group_key");
    String strategyName = t.string("strategy");
    Integer priority = t.integer("priority");
    LoadBalancing.Strategy strategy = null;
    if (strategyName != null) {
      strategy = LoadBalancing.Strategy.fromConfigName(strategyName);
      if (strategy == null) {
        t.error(
            "strategy",
            "must be one of round_robin, least_connections, random or failover, got '"
                + strategyName
                + "'");
      }
    }
    if (group == null) {
      for (String k : List.of("group_key", "strategy", "priority")) {
        if (t.has(k)) {
          t.error(k, "only for a member of a load-balancing group: set group too");
        }
      }
      return null;
    }
    return new LoadBalancing(group, key, strategy, priority == null ? 0 : priority);
  }

  private static ProxyProtocolVersion proxyProtocol(TomlTable t) {
    String name = t.string("proxy_protocol");
    if (name == null) {
      return null;
    }
    ProxyProtocolVersion v = ProxyProtocolVersion.fromConfigName(name);
    if (v == null) {
      t.error("proxy_protocol", "must be v1 or v2, got '" + name + "'");
    }
    return v;
  }
}
