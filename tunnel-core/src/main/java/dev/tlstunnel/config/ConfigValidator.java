package dev.tlstunnel.config;

import java.time.Duration;
import java.util.List;

/**
 * The one validator of server and client configurations, whether loaded from TOML or built in code
 * (every builder's {@code build()} runs it). It collects every problem, naming each key path
 * ({@code proxies[2].publish_port: ...}), and throws them together; soft issues are corrected and
 * logged at WARN naming the key.
 */
final class ConfigValidator {
  private ConfigValidator() {}

  /** Validates a server configuration built in code (a tunnel port of 0 picks a free port). */
  static ServerConfig validate(ServerConfig config) throws ConfigException {
    Problems problems = new Problems();
    ServerConfig checked = check(config, problems, false);
    problems.throwOrWarn();
    return checked;
  }

  /** Validates a client configuration built in code (publish ports of 0 let the server pick). */
  static ClientConfig validate(ClientConfig config) throws ConfigException {
    Problems problems = new Problems();
    ClientConfig checked = check(config, problems, false);
    problems.throwOrWarn();
    return checked;
  }

  /** Validates one proxy built in code; keys read {@code proxies['name'].…}. */
  static ProxyConfig validate(ProxyConfig proxy) throws ConfigException {
    Problems problems = new Problems();
    ProxyConfig checked = ProxyCheck.one(proxy, ProxyCheck.standaloneKey(proxy), 0, problems);
    problems.throwOrWarn();
    return checked;
  }

  /** Validates limits built in code; keys read {@code server.limits.…}. */
  static Limits validate(Limits limits) throws ConfigException {
    Problems problems = new Problems();
    LimitsCheck.check(limits, "server.limits", problems);
    problems.throwOrWarn();
    return limits;
  }

  static ServerConfig check(ServerConfig c, Problems p, boolean fromFile) {
    String bindAddr =
        Checks.address(c.bindAddr(), ServerConfig.DEFAULT_BIND_ADDR, "server.bind_addr", p);
    Checks.port(c.bindPort(), fromFile ? 1 : 0, "server.bind_port", p);
    // In code, a TLS context given to the facade may stand in for the files; behind a proxy that
    // terminates TLS there is none.
    boolean tls = TransportCheck.needsCertificate(c);
    Checks.readableFile(c.certPath(), tls && fromFile, "server.cert_path", p);
    Checks.readableFile(
        c.keyPath(), tls && (fromFile || c.certPath() != null), "server.key_path", p);
    authKey(c.authKey(), "server.auth_key", p);
    Duration handshake =
        Checks.duration(
            c.handshakeTimeout(),
            ServerConfig.DEFAULT_HANDSHAKE_TIMEOUT,
            false,
            "server.handshake_timeout",
            p);
    BindRetryPolicy retry = c.bindRetry() == null ? BindRetryPolicy.DEFAULT : c.bindRetry();
    retry = Checks.retry(retry, Duration.ZERO, "server.bind_retry", p);
    KeepAlive keepAlive = SessionSettingsCheck.keepAlive(c.keepAlive(), "server", p);
    Duration grace =
        Checks.duration(
            c.shutdownGrace(),
            ServerConfig.DEFAULT_SHUTDOWN_GRACE,
            true,
            "server.shutdown_grace",
            p);
    Limits limits = c.limits() == null ? Limits.DEFAULT : c.limits();
    LimitsCheck.check(limits, "server.limits", p);
    ServerTransportConfig transport = TransportCheck.server(c, p);
    return new ServerConfig(
        bindAddr,
        c.bindPort(),
        c.certPath(),
        c.keyPath(),
        c.authKey(),
        handshake,
        retry,
        keepAlive,
        grace,
        limits,
        transport,
        ForwardingCheck.egress(c.egress(), p),
        MonitoringCheck.server(c.monitoring(), p),
        ReloadCheck.check(c.reload(), "server", p),
        PublishingCheck.edge(c.edge(), p),
        ClusterCheck.check(c.cluster(), p));
  }

  static ClientConfig check(ClientConfig c, Problems p, boolean fromFile) {
    if (c.serverAddr() == null) {
      p.error("client.server_addr", "missing required key");
    }
    ClientConfig.Builder b = c.toBuilder();
    Checks.address(c.serverAddr(), null, "client.server_addr", p);
    for (int i = 0; i < c.moreServers().size(); i++) {
      Checks.address(c.moreServers().get(i), null, "client.server_addr[" + (i + 1) + "]", p);
    }
    Checks.port(c.serverPort(), 1, "client.server_port", p);
    authKey(c.authKey(), "client.auth_key", p);
    Checks.readableFile(c.caCertPath(), false, "client.ca_cert_path", p);
    if (c.skipVerify()) {
      p.warn("client.skip_verify", "server certificate is not verified");
      if (c.caCertPath() != null) {
        p.warn("client.ca_cert_path", "ignored because skip_verify is true");
      }
    }
    b.clientId = c.clientId() == null ? ClientConfig.defaultClientId() : c.clientId();
    Checks.name(b.clientId, "client.client_id", p);
    b.adminAddr =
        Checks.address(c.adminAddr(), ClientConfig.DEFAULT_ADMIN_ADDR, "client.admin_addr", p);
    if (c.adminPort() != null) {
      Checks.port(c.adminPort(), 0, "client.admin_port", p);
    }
    Checks.atLeast(c.localConnectRetries(), 0, "client.local_connect_retries", p);
    b.localRetryDelay =
        Checks.duration(
            c.localRetryDelay(),
            ClientConfig.DEFAULT_LOCAL_RETRY_DELAY,
            true,
            "client.local_retry_delay",
            p);
    b.localConnectTimeout =
        Checks.duration(
            c.localConnectTimeout(),
            ClientConfig.DEFAULT_LOCAL_CONNECT_TIMEOUT,
            false,
            "client.local_connect_timeout",
            p);
    b.serverFingerprint =
        SessionSettingsCheck.fingerprint(c.serverFingerprint(), "client.server_fingerprint", p);
    b.reconnect = SessionSettingsCheck.reconnect(c.reconnect(), "client.reconnect", p);
    b.keepAlive = SessionSettingsCheck.keepAlive(c.keepAlive(), "client", p);
    b.shutdownGrace =
        Checks.duration(
            c.shutdownGrace(),
            ClientConfig.DEFAULT_SHUTDOWN_GRACE,
            true,
            "client.shutdown_grace",
            p);
    // publish_port = 0: the server picks a port (from its allow_ports) and keeps it for the proxy
    List<ProxyConfig> proxies = ProxyCheck.all(c, 0, p);
    b.proxies = proxies;
    b.transport = TransportCheck.client(c.transport(), p);
    b.forwarders = ForwardingCheck.forwarders(c, p);
    b.reload = ReloadCheck.check(c.reload(), "client", p);
    b.visitors = VisitorConfigCheck.visitors(c, b.adminAddr, p);
    b.monitoring = MonitoringCheck.client(c.monitoring(), b.adminAddr, c.adminPort(), p);
    return new ClientConfig(b);
  }

  /** Checks a shared secret: the auth key, or a visitor secret. */
  static void authKey(String authKey, String key, Problems p) {
    if (authKey == null) {
      if (!p.hasError(key + "_file") && !p.hasError(key + "_env")) {
        p.error(key, "missing required key");
      }
    } else if (authKey.length() < ServerConfig.MIN_AUTH_KEY_LENGTH) {
      p.error(
          key,
          "must be at least "
              + ServerConfig.MIN_AUTH_KEY_LENGTH
              + " characters (got "
              + authKey.length()
              + ")");
    } else if (authKey.length() > ServerConfig.MAX_AUTH_KEY_LENGTH) {
      p.error(
          key,
          "must be at most "
              + ServerConfig.MAX_AUTH_KEY_LENGTH
              + " characters (got "
              + authKey.length()
              + ")");
    }
  }
}
