package dev.tlstunnel.config;

import java.time.Duration;

/**
 * One local forward proxy ({@code [[forwarders]]}): an HTTP or SOCKS5 proxy on the client's host
 * whose connections go direct, through the server, or nowhere, by {@code routing}.
 *
 * @param name unique among forwarders and proxies of the client
 * @param type {@code http} or {@code socks5}
 * @param bindAddr the listen address ({@code 127.0.0.1} by default)
 * @param bindPort the listen port (0 picks a free one)
 * @param username with {@code password}: credentials applications must present, or null
 * @param password the password, or null
 * @param maxConnections connections served at once; further ones are closed at accept
 * @param maxRequestHead bytes of an HTTP request line plus headers
 * @param handshakeTimeout time from accept until the proxy request (and authentication) is done
 * @param idleTimeout a connection with no traffic either way for this long is closed
 * @param connectTimeout the timeout of one direct connect
 * @param bindRetry how the listener retries a failed bind, or null for the default
 * @param routing where connections go
 * @param direct where direct connections may go (the client-side SSRF policy)
 */
public record ForwarderConfig(
    String name,
    ForwarderType type,
    String bindAddr,
    int bindPort,
    String username,
    String password,
    int maxConnections,
    int maxRequestHead,
    Duration handshakeTimeout,
    Duration idleTimeout,
    Duration connectTimeout,
    BindRetryPolicy bindRetry,
    RoutingConfig routing,
    EgressRules direct) {

  public static final String DEFAULT_BIND_ADDR = "127.0.0.1";
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  public static final int DEFAULT_MAX_REQUEST_HEAD = 16 * 1024;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  public ForwarderConfig {
    bindAddr = bindAddr == null ? DEFAULT_BIND_ADDR : bindAddr;
    routing = routing == null ? RoutingConfig.DEFAULT : routing;
    direct = direct == null ? EgressRules.DEFAULT : direct;
  }

  /** A forwarder with every default: no credentials, everything through the tunnel. */
  public static ForwarderConfig of(String name, ForwarderType type, int bindPort) {
    return new ForwarderConfig(
        name,
        type,
        DEFAULT_BIND_ADDR,
        bindPort,
        null,
        null,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_REQUEST_HEAD,
        DEFAULT_HANDSHAKE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_CONNECT_TIMEOUT,
        null,
        RoutingConfig.DEFAULT,
        EgressRules.DEFAULT);
  }

  /** A copy with other routing. */
  public ForwarderConfig withRouting(RoutingConfig r) {
    return new ForwarderConfig(
        name,
        type,
        bindAddr,
        bindPort,
        username,
        password,
        maxConnections,
        maxRequestHead,
        handshakeTimeout,
        idleTimeout,
        connectTimeout,
        bindRetry,
        r,
        direct);
  }

  /** A copy with another direct-route policy. */
  public ForwarderConfig withDirect(EgressRules d) {
    return new ForwarderConfig(
        name,
        type,
        bindAddr,
        bindPort,
        username,
        password,
        maxConnections,
        maxRequestHead,
        handshakeTimeout,
        idleTimeout,
        connectTimeout,
        bindRetry,
        routing,
        d);
  }

  /** A copy that asks for credentials. */
  public ForwarderConfig withCredentials(String user, String pass) {
    return new ForwarderConfig(
        name,
        type,
        bindAddr,
        bindPort,
        user,
        pass,
        maxConnections,
        maxRequestHead,
        handshakeTimeout,
        idleTimeout,
        connectTimeout,
        bindRetry,
        routing,
        direct);
  }

  /** A copy with other bounds. */
  public ForwarderConfig withBounds(
      int connections, int requestHead, Duration handshake, Duration idle) {
    return new ForwarderConfig(
        name,
        type,
        bindAddr,
        bindPort,
        username,
        password,
        connections,
        requestHead,
        handshake,
        idle,
        connectTimeout,
        bindRetry,
        routing,
        direct);
  }

  /** Every component but the password, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ForwarderConfig[name="
        + name
        + ", type="
        + type
        + ", bind="
        + bindAddr
        + ":"
        + bindPort
        + ", username="
        + username
        + ", password="
        + (password == null ? null : "***")
        + ", maxConnections="
        + maxConnections
        + ", maxRequestHead="
        + maxRequestHead
        + ", handshakeTimeout="
        + handshakeTimeout
        + ", idleTimeout="
        + idleTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", bindRetry="
        + bindRetry
        + ", routing="
        + routing
        + ", direct="
        + direct
        + "]";
  }
}
