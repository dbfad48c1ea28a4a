package dev.tlstunnel.config;

import java.nio.file.Path;

/**
 * The server's configuration ({@code [server]}).
 *
 * @param bindAddr the address the tunnel port listens on
 * @param bindPort the tunnel port (0 picks a free one, for tests)
 * @param certPath PEM certificate chain
 * @param keyPath PEM private key (PKCS#8)
 * @param authKey the shared key clients must present
 * @param handshakeTimeoutMillis the deadline for TLS handshake plus authentication
 * @param bindRetry limits and defaults of proxy bind retries ({@code [server.bind_retry]})
 * @param keepAlive dead-peer detection of client sessions
 * @param shutdownGraceMillis how long open streams may finish on shutdown
 * @param limits bounds on connections, streams, proxies and messages ({@code [server.limits]})
 * @param egress whether and where clients' forwarders may connect from the server ({@code
 *     allow_forward}, {@code [server.egress]})
 */
public record ServerConfig(
    String bindAddr,
    int bindPort,
    Path certPath,
    Path keyPath,
    String authKey,
    long handshakeTimeoutMillis,
    BindRetryPolicy bindRetry,
    KeepAlive keepAlive,
    long shutdownGraceMillis,
    Limits limits,
    EgressConfig egress) {

  /** Default tunnel listen address: every IPv4 address. */
  public static final String DEFAULT_BIND_ADDR = "0.0.0.0";

  /** Default handshake and authentication deadline: 10 seconds. */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Default grace period for open streams on shutdown: 10 seconds. */
  public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 10_000;

  public ServerConfig {
    egress = egress == null ? EgressConfig.OFF : egress;
  }

  /** A configuration with egress off. */
  public ServerConfig(
      String bindAddr,
      int bindPort,
      Path certPath,
      Path keyPath,
      String authKey,
      long handshakeTimeoutMillis,
      BindRetryPolicy bindRetry,
      KeepAlive keepAlive,
      long shutdownGraceMillis,
      Limits limits) {
    this(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        keepAlive,
        shutdownGraceMillis,
        limits,
        EgressConfig.OFF);
  }

  /** A copy with other egress settings. */
  public ServerConfig withEgress(EgressConfig settings) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        keepAlive,
        shutdownGraceMillis,
        limits,
        settings);
  }

  /** A server configuration with the defaults for everything but the essentials. */
  public static ServerConfig of(
      String bindAddr, int bindPort, Path certPath, Path keyPath, String authKey) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        DEFAULT_HANDSHAKE_TIMEOUT_MILLIS,
        BindRetryPolicy.DEFAULT,
        KeepAlive.DEFAULT,
        DEFAULT_SHUTDOWN_GRACE_MILLIS,
        Limits.DEFAULT);
  }

  /** A copy with another bind retry policy. */
  public ServerConfig withBindRetry(BindRetryPolicy policy) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        policy,
        keepAlive,
        shutdownGraceMillis,
        limits,
        egress);
  }

  /** A copy listening on another port. */
  public ServerConfig withBindPort(int port) {
    return new ServerConfig(
        bindAddr,
        port,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        keepAlive,
        shutdownGraceMillis,
        limits,
        egress);
  }

  /** A copy with another handshake deadline. */
  public ServerConfig withHandshakeTimeoutMillis(long millis) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        millis,
        bindRetry,
        keepAlive,
        shutdownGraceMillis,
        limits,
        egress);
  }

  /** A copy with other keep-alive settings. */
  public ServerConfig withKeepAlive(KeepAlive settings) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        settings,
        shutdownGraceMillis,
        limits,
        egress);
  }

  /** A copy with another shutdown grace period. */
  public ServerConfig withShutdownGraceMillis(long millis) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        keepAlive,
        millis,
        limits,
        egress);
  }

  /** A copy with other limits. */
  public ServerConfig withLimits(Limits newLimits) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeoutMillis,
        bindRetry,
        keepAlive,
        shutdownGraceMillis,
        newLimits,
        egress);
  }

  /** Every component but the auth key, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ServerConfig[bindAddr="
        + bindAddr
        + ", bindPort="
        + bindPort
        + ", certPath="
        + certPath
        + ", keyPath="
        + keyPath
        + ", authKey=***, handshakeTimeoutMillis="
        + handshakeTimeoutMillis
        + ", bindRetry="
        + bindRetry
        + ", keepAlive="
        + keepAlive
        + ", shutdownGraceMillis="
        + shutdownGraceMillis
        + ", limits="
        + limits
        + ", egress="
        + egress
        + "]";
  }
}
