package dev.tlstunnel.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validator of server and client configurations, whether loaded from TOML or built in code.
 * It collects every problem, naming each key path ({@code proxies[2].publish_port: ...}), and
 * throws them together; soft issues are corrected and logged at WARN naming the key.
 */
public final class ConfigValidator {
  /** Names of proxies and clients: {@code [A-Za-z0-9._-]{1,64}}. */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The shortest accepted auth key, in characters. */
  public static final int MIN_AUTH_KEY_LENGTH = 16;

  /** The longest accepted auth key, in characters (the protocol's string bound). */
  public static final int MAX_AUTH_KEY_LENGTH = 1024;

  /** The most proxies one client may have (the protocol's bound). */
  public static final int MAX_PROXIES = 256;

  /** A proxy's bind retry delays below this are raised to it. */
  public static final Duration MIN_PROXY_RETRY_DELAY = Duration.ofMillis(100);

  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");

  private ConfigValidator() {}

  /**
   * Validates a server configuration built in code (a tunnel port of 0 picks a free port).
   *
   * @return the configuration with defaults filled in for null optional components
   * @throws ConfigException listing every problem
   */
  public static ServerConfig validate(ServerConfig config) throws ConfigException {
    Problems problems = new Problems();
    ServerConfig checked = check(config, problems, false);
    problems.throwOrWarn();
    return checked;
  }

  /**
   * Validates a client configuration built in code.
   *
   * @return the configuration with soft issues corrected and defaults filled in for null optional
   *     components
   * @throws ConfigException listing every problem
   */
  public static ClientConfig validate(ClientConfig config) throws ConfigException {
    Problems problems = new Problems();
    ClientConfig checked = check(config, problems);
    problems.throwOrWarn();
    return checked;
  }

  static ServerConfig check(ServerConfig c, Problems p, boolean fromFile) {
    String bindAddr = address(c.bindAddr(), ServerConfig.DEFAULT_BIND_ADDR, "server.bind_addr", p);
    port(c.bindPort(), fromFile ? 1 : 0, "server.bind_port", p);
    readableFile(c.certPath(), true, "server.cert_path", p);
    readableFile(c.keyPath(), true, "server.key_path", p);
    authKey(c.authKey(), "server.auth_key", p);
    if (c.handshakeTimeoutMillis() <= 0) {
      p.error(
          "server.handshake_timeout", "must be positive, got " + c.handshakeTimeoutMillis() + "ms");
    }
    BindRetryPolicy retry = c.bindRetry() == null ? BindRetryPolicy.DEFAULT : c.bindRetry();
    retry(retry, Duration.ZERO, "server.bind_retry", p);
    KeepAlive keepAlive = SessionSettingsCheck.keepAlive(c.keepAlive(), "server", p);
    atLeast(c.shutdownGraceMillis(), 0, "server.shutdown_grace", p);
    Limits limits = c.limits() == null ? Limits.DEFAULT : c.limits();
    LimitsCheck.check(limits, "server.limits", p);
    return new ServerConfig(
        bindAddr,
        c.bindPort(),
        c.certPath(),
        c.keyPath(),
        c.authKey(),
        c.handshakeTimeoutMillis(),
        retry,
        keepAlive,
        c.shutdownGraceMillis(),
        limits);
  }

  static ClientConfig check(ClientConfig c, Problems p) {
    if (c.serverAddr() == null) {
      p.error("client.server_addr", "missing required key");
    }
    address(c.serverAddr(), null, "client.server_addr", p);
    port(c.serverPort(), 1, "client.server_port", p);
    authKey(c.authKey(), "client.auth_key", p);
    readableFile(c.caCertPath(), false, "client.ca_cert_path", p);
    if (c.skipVerify()) {
      p.warn("client.skip_verify", "server certificate is not verified");
      if (c.caCertPath() != null) {
        p.warn("client.ca_cert_path", "ignored because skip_verify is true");
      }
    }
    String clientId = c.clientId() == null ? ClientConfig.defaultClientId() : c.clientId();
    name(clientId, "client.client_id", p);
    String adminAddr =
        address(c.adminAddr(), ClientConfig.DEFAULT_ADMIN_ADDR, "client.admin_addr", p);
    if (c.adminPort() != null) {
      port(c.adminPort(), 0, "client.admin_port", p);
    }
    atLeast(c.localConnectRetries(), 0, "client.local_connect_retries", p);
    atLeast(c.localRetryDelayMillis(), 0, "client.local_retry_delay", p);
    atLeast(c.localConnectTimeoutMillis(), 1, "client.local_connect_timeout", p);
    String fingerprint =
        SessionSettingsCheck.fingerprint(c.serverFingerprint(), "client.server_fingerprint", p);
    ReconnectPolicy reconnect =
        SessionSettingsCheck.reconnect(c.reconnect(), "client.reconnect", p);
    KeepAlive keepAlive = SessionSettingsCheck.keepAlive(c.keepAlive(), "client", p);
    atLeast(c.shutdownGraceMillis(), 0, "client.shutdown_grace", p);
    List<ProxyConfig> proxies = proxies(c, p);
    List<VisitorConfig> visitors = VisitorConfigCheck.visitors(c, adminAddr, p);
    return new ClientConfig(
        c.serverAddr(),
        c.serverPort(),
        c.authKey(),
        c.caCertPath(),
        c.skipVerify(),
        clientId,
        adminAddr,
        c.adminPort(),
        c.exitOnBindFailure(),
        c.localConnectRetries(),
        c.localRetryDelayMillis(),
        c.localConnectTimeoutMillis(),
        fingerprint,
        reconnect,
        keepAlive,
        c.shutdownGraceMillis(),
        proxies,
        visitors);
  }

  private static List<ProxyConfig> proxies(ClientConfig c, Problems p) {
    if (c.proxies().isEmpty() && c.visitors().isEmpty()) {
      p.warn("proxies", "no proxies configured; the client will connect but publish nothing");
    } else if (c.proxies().size() > MAX_PROXIES) {
      p.error("proxies", "at most " + MAX_PROXIES + " proxies allowed, got " + c.proxies().size());
    }
    List<ProxyConfig> checked = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < c.proxies().size(); i++) {
      String key = "proxies[" + i + "]";
      ProxyConfig proxy = proxy(c.proxies().get(i), key, p);
      Integer first = proxy.name() == null ? null : names.putIfAbsent(proxy.name(), i);
      if (first != null && !p.hasError(key + ".name")) {
        p.error(
            key + ".name",
            "duplicate name '" + proxy.name() + "' (also proxies[" + first + "].name)");
      }
      crossCheckBinding(c, checked, proxy, i, p);
      checked.add(proxy);
    }
    return checked;
  }

  private static ProxyConfig proxy(ProxyConfig proxy, String key, Problems p) {
    if (proxy.name() == null) {
      p.error(key + ".name", "missing required key");
    }
    name(proxy.name(), key + ".name", p);
    String publishAddr = proxy.publishAddr();
    if (proxy.isPrivate()) {
      VisitorConfigCheck.privateProxy(proxy, key, p);
    } else {
      publishAddr =
          address(proxy.publishAddr(), ProxyConfig.DEFAULT_PUBLISH_ADDR, key + ".publish_addr", p);
      port(proxy.publishPort(), 1, key + ".publish_port", p);
    }
    String localAddr =
        address(proxy.localAddr(), ProxyConfig.DEFAULT_LOCAL_ADDR, key + ".local_addr", p);
    port(proxy.localPort(), 1, key + ".local_port", p);
    ProxyType type = proxy.proxyType() == null ? ProxyType.TCP : proxy.proxyType();
    BindRetryPolicy retry = proxy.bindRetry();
    if (retry != null) {
      retry = retry(retry, MIN_PROXY_RETRY_DELAY, key + ".bind_retry", p);
    }
    return new ProxyConfig(
        proxy.name(),
        publishAddr,
        proxy.publishPort(),
        localAddr,
        proxy.localPort(),
        type,
        retry,
        proxy.privateAccess());
  }

  /** Rejects a publish binding equal to the tunnel port or overlapping an earlier proxy's. */
  private static void crossCheckBinding(
      ClientConfig c, List<ProxyConfig> earlier, ProxyConfig proxy, int index, Problems p) {
    String key = "proxies[" + index + "].publish_port";
    if (proxy.isPrivate() || p.hasError(key) || p.hasError("proxies[" + index + "].publish_addr")) {
      return;
    }
    if (proxy.publishPort() == c.serverPort()) {
      p.error(key, proxy.publishPort() + " equals client.server_port (the tunnel's own port)");
      return;
    }
    for (int j = 0; j < earlier.size(); j++) {
      ProxyConfig other = earlier.get(j);
      if (!other.isPrivate()
          && other.publishPort() == proxy.publishPort()
          && overlaps(other.publishAddr(), proxy.publishAddr())) {
        p.error(
            key,
            "binding "
                + binding(proxy)
                + " overlaps proxies["
                + j
                + "] '"
                + other.name()
                + "' ("
                + binding(other)
                + ")");
        return;
      }
    }
  }

  static boolean overlaps(String a, String b) {
    return a.equalsIgnoreCase(b) || WILDCARDS.contains(a) || WILDCARDS.contains(b);
  }

  private static String binding(ProxyConfig proxy) {
    String addr = proxy.publishAddr();
    return (addr.contains(":") && !addr.startsWith("[") ? "[" + addr + "]" : addr)
        + ":"
        + proxy.publishPort();
  }

  static BindRetryPolicy retry(BindRetryPolicy policy, Duration minDelay, String key, Problems p) {
    if (policy.maxRetries() < -1) {
      p.error(
          key + ".max_retries", "must be -1 (retry forever) or more, got " + policy.maxRetries());
    }
    Duration initial = delay(policy.initialDelay(), minDelay, key + ".initial_delay", p);
    Duration max = delay(policy.maxDelay(), minDelay, key + ".max_delay", p);
    if (initial != null && max != null && max.compareTo(initial) < 0) {
      p.error(
          key + ".max_delay",
          "must be at least initial_delay ("
              + Durations.format(initial)
              + "), got "
              + Durations.format(max));
    }
    return new BindRetryPolicy(policy.maxRetries(), initial, max);
  }

  private static Duration delay(Duration d, Duration min, String key, Problems p) {
    if (d == null) {
      p.error(key, "missing required key");
    } else if (d.isNegative() || d.isZero()) {
      p.error(key, "must be positive, got " + Durations.format(d));
    } else if (d.compareTo(min) < 0) {
      p.warn(
          key,
          Durations.format(d)
              + " is below the minimum of "
              + Durations.format(min)
              + "; using "
              + Durations.format(min));
      return min;
    }
    return d;
  }

  static void port(int port, int min, String key, Problems p) {
    if (port < min || port > 65535) {
      p.error(key, "must be between " + min + " and 65535, got " + port);
    }
  }

  private static void atLeast(long value, long min, String key, Problems p) {
    if (value < min) {
      p.error(key, "must be at least " + min + ", got " + value);
    }
  }

  static String address(String addr, String dflt, String key, Problems p) {
    if (addr == null) {
      return dflt;
    }
    if (addr.isBlank()) {
      p.error(key, "must not be empty");
    }
    return addr;
  }

  static void name(String name, String key, Problems p) {
    if (name != null && !NAME_PATTERN.matcher(name).matches()) {
      p.error(key, "must match " + NAME_PATTERN.pattern() + ", got '" + name + "'");
    }
  }

  /** Checks a shared secret: the auth key, or a visitor secret. */
  static void authKey(String authKey, String key, Problems p) {
    if (authKey == null) {
      if (!p.hasError(key + "_file") && !p.hasError(key + "_env")) {
        p.error(key, "missing required key");
      }
    } else if (authKey.length() < MIN_AUTH_KEY_LENGTH) {
      p.error(
          key,
          "must be at least " + MIN_AUTH_KEY_LENGTH + " characters (got " + authKey.length() + ")");
    } else if (authKey.length() > MAX_AUTH_KEY_LENGTH) {
      p.error(
          key,
          "must be at most " + MAX_AUTH_KEY_LENGTH + " characters (got " + authKey.length() + ")");
    }
  }

  private static void readableFile(Path file, boolean required, String key, Problems p) {
    if (file == null) {
      if (required) {
        p.error(key, "missing required key");
      }
    } else if (!Files.exists(file)) {
      p.error(key, "file not found: " + file.toAbsolutePath());
    } else if (!Files.isRegularFile(file)) {
      p.error(key, "not a regular file: " + file.toAbsolutePath());
    } else if (!Files.isReadable(file)) {
      p.error(key, "file not readable: " + file.toAbsolutePath());
    }
  }
}
