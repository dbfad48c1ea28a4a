package dev.tlstunnel.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Maps a parsed TOML tree onto the config records. Reports unknown keys, wrong types and missing
 * required keys; leaves value rules to {@link ConfigValidator}. Absent optional keys stay null (or
 * take their documented default) so the validator fills them in once.
 */
final class TomlMapping {
  static final List<String> SERVER_KEYS =
      List.of(
          "bind_addr",
          "bind_port",
          "cert_path",
          "key_path",
          "auth_key",
          "auth_key_file",
          "auth_key_env",
          "handshake_timeout",
          "keepalive_interval",
          "keepalive_timeout",
          "shutdown_grace",
          "bind_retry",
          "limits",
          "transport",
          "path",
          "decoy_page",
          "behind_proxy",
          "trusted_proxies",
          "allow_forward",
          "egress",
          "admin_addr",
          "admin_port",
          "admin_token",
          "admin_user",
          "admin_password",
          "metrics_label_limit",
          "notify",
          "watch",
          "watch_interval",
          "log_level",
          "key_rotation_window",
          "cluster",
          "allow_ports",
          "max_ports",
          "state_dir",
          "port_lease_ttl",
          "proxy_protocol",
          "proxy_protocol_trusted");
  static final List<String> CLIENT_KEYS =
      List.of(
          "server_addr",
          "server_port",
          "auth_key",
          "auth_key_file",
          "auth_key_env",
          "ca_cert_path",
          "skip_verify",
          "client_id",
          "admin_addr",
          "admin_port",
          "exit_on_bind_failure",
          "local_connect_retries",
          "local_retry_delay",
          "local_connect_timeout",
          "server_fingerprint",
          "keepalive_interval",
          "keepalive_timeout",
          "shutdown_grace",
          "reconnect",
          "transport",
          "path",
          "host",
          "headers",
          "ping_interval",
          "proxy_url",
          "admin_token",
          "admin_user",
          "admin_password",
          "metrics_label_limit",
          "notify",
          "watch",
          "watch_interval",
          "log_level");
  static final List<String> PROXY_KEYS =
      Stream.concat(
              Stream.of(
                  "name",
                  "publish_addr",
                  "publish_port",
                  "local_addr",
                  "local_port",
                  "proxy_type",
                  "bind_retry",
                  "health_check",
                  "group",
                  "group_key",
                  "strategy",
                  "priority",
                  "proxy_protocol"),
              VisitorToml.PRIVATE_PROXY_KEYS.stream())
          .toList();
  static final List<String> LIMIT_KEYS =
      List.of(
          "max_control_frame",
          "max_proxies_per_client",
          "max_streams_per_session",
          "max_connections_per_proxy",
          "max_pending_connects",
          "max_receive_window",
          "max_session_window",
          "max_frame_payload",
          "max_unauthenticated",
          "max_unauthenticated_per_ip",
          "connection_rate",
          "connection_burst",
          "auth_penalty_max");
  static final List<String> RETRY_KEYS = List.of("max_retries", "initial_delay", "max_delay");
  static final List<String> RECONNECT_KEYS =
      List.of("enabled", "initial_delay", "max_delay", "retry_on_auth_failure");

  private TomlMapping() {}

  /** The server record, or null when {@code [server]} is missing (already reported). */
  static ServerConfig server(JsonNode root, Path baseDir, Problems p, UnaryOperator<String> env) {
    TomlTable top = TomlTable.open(root, "", p, List.of("server"));
    top.require("server");
    TomlTable s = top.table("server", SERVER_KEYS);
    if (s == null) {
      return null;
    }
    s.require("bind_port");
    if (!Boolean.TRUE.equals(s.bool("behind_proxy"))) {
      s.require("cert_path", "key_path");
    }
    ClusterConfig cluster = ClusterToml.cluster(s, baseDir);
    return new ServerConfig(
        s.string("bind_addr"),
        orZero(s.integer("bind_port")),
        s.path("cert_path", baseDir),
        s.path("key_path", baseDir),
        Secrets.authKey(s, baseDir, env),
        s.duration("handshake_timeout"),
        retry(s.table("bind_retry", RETRY_KEYS), BindRetryPolicy.DEFAULT),
        keepAlive(s),
        s.duration("shutdown_grace"),
        limits(s.table("limits", LIMIT_KEYS)),
        TransportToml.server(s, baseDir),
        ForwardingMapping.egress(s),
        MonitoringMapping.server(s),
        ReloadToml.server(s),
        PublishingToml.edge(s, baseDir),
        cluster);
  }

  /** The client record, or null when {@code [client]} is missing (already reported). */
  static ClientConfig client(JsonNode root, Path baseDir, Problems p, UnaryOperator<String> env) {
    TomlTable top =
        TomlTable.open(root, "", p, List.of("client", "proxies", "forwarders", "visitors"));
    top.require("client");
    TomlTable c = top.table("client", CLIENT_KEYS);
    List<ProxyConfig> proxies = new ArrayList<>();
    for (TomlTable t : top.tableArray("proxies", PROXY_KEYS)) {
      proxies.add(proxy(t, baseDir, env));
    }
    List<ForwarderConfig> forwarders = ForwardingMapping.forwarders(top, baseDir);
    List<VisitorConfig> visitors = VisitorToml.visitors(top, baseDir, env);
    if (c == null) {
      return null;
    }
    c.require("server_addr");
    if (!c.isArray("server_addr")) {
      c.require("server_port");
    }
    ClientConfig.Builder b = ClientConfig.builder();
    if (c.isArray("server_addr")) {
      List<String> servers = c.strings("server_addr");
      if (servers != null && !servers.isEmpty()) {
        String first = servers.get(0);
        int colon = first.lastIndexOf(':');
        boolean hasPort =
            first.startsWith("[") ? first.contains("]:") : colon > 0 && colon == first.indexOf(':');
        if (hasPort && first.substring(colon + 1).chars().allMatch(Character::isDigit)) {
          b.serverAddr = first.substring(0, colon).replace("[", "").replace("]", "");
          b.serverPort = orZero(Integer.valueOf(first.substring(colon + 1)));
        } else {
          b.serverAddr = first;
        }
        b.moreServers = List.copyOf(servers.subList(1, servers.size()));
      } else if (servers != null) {
        c.error("server_addr", "must list at least one server");
      }
    } else {
      b.serverAddr = c.string("server_addr");
    }
    if (b.serverPort == 0) {
      b.serverPort = orZero(c.integer("server_port"));
    }
    b.authKey = Secrets.authKey(c, baseDir, env);
    b.caCertPath = c.path("ca_cert_path", baseDir);
    b.skipVerify = Boolean.TRUE.equals(c.bool("skip_verify"));
    b.clientId = c.string("client_id");
    b.adminAddr = c.string("admin_addr");
    b.adminPort = c.integer("admin_port");
    b.exitOnBindFailure = Boolean.TRUE.equals(c.bool("exit_on_bind_failure"));
    b.localConnectRetries =
        orDefault(c.integer("local_connect_retries"), ClientConfig.DEFAULT_LOCAL_CONNECT_RETRIES);
    b.localRetryDelay = c.duration("local_retry_delay");
    b.localConnectTimeout = c.duration("local_connect_timeout");
    b.serverFingerprint = c.string("server_fingerprint");
    b.reconnect = reconnect(c.table("reconnect", RECONNECT_KEYS));
    b.keepAlive = keepAlive(c);
    b.shutdownGrace = c.duration("shutdown_grace");
    b.proxies = proxies;
    b.transport = TransportToml.client(c);
    b.forwarders = forwarders;
    b.reload = ReloadToml.client(c);
    b.visitors = visitors;
    b.monitoring = MonitoringMapping.client(c);
    return new ClientConfig(b);
  }

  private static ProxyConfig proxy(TomlTable t, Path baseDir, UnaryOperator<String> env) {
    PrivateProxyConfig privateAccess = VisitorToml.privateAccess(t, baseDir, env);
    if (privateAccess == null) {
      t.require("name", "publish_port", "local_port");
    } else {
      t.require("name", "local_port");
    }
    ProxyType type = ProxyType.TCP;
    String typeName = t.string("proxy_type");
    if (typeName != null) {
      type = ProxyType.fromConfigName(typeName);
      if (type == null) {
        t.error(
            "proxy_type", "must be one of tcp, http/1.1, http/2.0 or ssh, got '" + typeName + "'");
      }
    }
    TomlTable retry = t.table("bind_retry", RETRY_KEYS);
    return new ProxyConfig(
        t.string("name"),
        t.string("publish_addr"),
        orZero(t.integer("publish_port")),
        t.string("local_addr"),
        orZero(t.integer("local_port")),
        type,
        retry == null ? null : retry(retry, BindRetryPolicy.DEFAULT),
        privateAccess,
        PublishingToml.features(t, type));
  }

  /**
   * A retry policy; absent fields come from {@code base}, adjusted so that a lone {@code
   * initial_delay} or {@code max_delay} does not contradict the default of the other.
   */
  static BindRetryPolicy retry(TomlTable t, BindRetryPolicy base) {
    if (t == null) {
      return base;
    }
    Integer maxRetries = t.integer("max_retries");
    Duration initial = t.duration("initial_delay");
    Duration max = t.duration("max_delay");
    if (initial == null) {
      initial =
          max != null && max.compareTo(base.initialDelay()) < 0 && max.compareTo(Duration.ZERO) > 0
              ? max
              : base.initialDelay();
    }
    if (max == null) {
      max = initial.compareTo(base.maxDelay()) > 0 ? initial : base.maxDelay();
    }
    return new BindRetryPolicy(orDefault(maxRetries, base.maxRetries()), initial, max);
  }

  /** Limits; absent keys take their defaults. */
  private static Limits limits(TomlTable t) {
    Limits d = Limits.DEFAULT;
    if (t == null) {
      return d;
    }
    Duration penalty = t.duration("auth_penalty_max");
    return Limits.builder()
        .maxControlFrame(orDefault(t.integer("max_control_frame"), d.maxControlFrame()))
        .maxProxiesPerClient(
            orDefault(t.integer("max_proxies_per_client"), d.maxProxiesPerClient()))
        .maxStreamsPerSession(
            orDefault(t.integer("max_streams_per_session"), d.maxStreamsPerSession()))
        .maxConnectionsPerProxy(
            orDefault(t.integer("max_connections_per_proxy"), d.maxConnectionsPerProxy()))
        .maxPendingConnects(orDefault(t.integer("max_pending_connects"), d.maxPendingConnects()))
        .maxReceiveWindow(orDefault(t.integer("max_receive_window"), d.maxReceiveWindow()))
        .maxSessionWindow(orDefault(t.integer("max_session_window"), d.maxSessionWindow()))
        .maxFramePayload(orDefault(t.integer("max_frame_payload"), d.maxFramePayload()))
        .maxUnauthenticated(orDefault(t.integer("max_unauthenticated"), d.maxUnauthenticated()))
        .maxUnauthenticatedPerIp(
            orDefault(t.integer("max_unauthenticated_per_ip"), d.maxUnauthenticatedPerIp()))
        .connectionRate(orDefault(t.integer("connection_rate"), d.connectionRate()))
        .connectionBurst(orDefault(t.integer("connection_burst"), d.connectionBurst()))
        .authPenaltyMax(penalty == null ? d.authPenaltyMax() : penalty)
        .unchecked();
  }

  private static KeepAlive keepAlive(TomlTable t) {
    Duration interval = t.duration("keepalive_interval");
    Duration timeout = t.duration("keepalive_timeout");
    return new KeepAlive(
        interval == null ? KeepAlive.DEFAULT.interval() : interval,
        timeout == null ? KeepAlive.DEFAULT.timeout() : timeout);
  }

  private static ReconnectPolicy reconnect(TomlTable t) {
    ReconnectPolicy d = ReconnectPolicy.DEFAULT;
    if (t == null) {
      return d;
    }
    Boolean enabled = t.bool("enabled");
    Duration initial = t.duration("initial_delay");
    Duration max = t.duration("max_delay");
    Boolean onAuth = t.bool("retry_on_auth_failure");
    return new ReconnectPolicy(
        enabled == null ? d.enabled() : enabled,
        initial == null ? d.initialDelay() : initial,
        max == null ? d.maxDelay() : max,
        onAuth == null ? d.retryOnAuthFailure() : onAuth);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static int orDefault(Integer value, int dflt) {
    return value == null ? dflt : value;
  }
}
