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
 */
public record ServerConfig(
    String bindAddr,
    int bindPort,
    Path certPath,
    Path keyPath,
    String authKey,
    long handshakeTimeoutMillis,
    BindRetryPolicy bindRetry) {

  /** Default tunnel listen address: every IPv4 address. */
  public static final String DEFAULT_BIND_ADDR = "0.0.0.0";

  /** Default handshake and authentication deadline: 10 seconds. */
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** A copy with another bind retry policy. */
  public ServerConfig withBindRetry(BindRetryPolicy policy) {
    return new ServerConfig(
        bindAddr, bindPort, certPath, keyPath, authKey, handshakeTimeoutMillis, policy);
  }

  /** A copy listening on another port. */
  public ServerConfig withBindPort(int port) {
    return new ServerConfig(
        bindAddr, port, certPath, keyPath, authKey, handshakeTimeoutMillis, bindRetry);
  }
}
