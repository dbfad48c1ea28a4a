package dev.tlstunnel.config;

import java.util.List;

/**
 * One proxy of a client: the server publishes {@code publishAddr:publishPort} and the client
 * forwards each connection to {@code localAddr:localPort}. A private proxy has no publish address:
 * only visitors reach it.
 *
 * @param bindRetry the retry policy this proxy asks the server for, or null for the server's own
 * @param privateAccess who may visit the proxy when it is private, or null for a public proxy
 */
public record ProxyConfig(
    String name,
    String publishAddr,
    int publishPort,
    String localAddr,
    int localPort,
    ProxyType proxyType,
    BindRetryPolicy bindRetry,
    PrivateProxyConfig privateAccess) {

  /** Default publish address: every IPv4 address of the server. */
  public static final String DEFAULT_PUBLISH_ADDR = "0.0.0.0";

  /** Default local service address: loopback. */
  public static final String DEFAULT_LOCAL_ADDR = "127.0.0.1";

  /** A public proxy. */
  public ProxyConfig(
      String name,
      String publishAddr,
      int publishPort,
      String localAddr,
      int localPort,
      ProxyType proxyType,
      BindRetryPolicy bindRetry) {
    this(name, publishAddr, publishPort, localAddr, localPort, proxyType, bindRetry, null);
  }

  /**
   * A private proxy ({@code visibility = "private"}) of a local service, reachable only by {@code
   * allowedVisitors} that prove {@code secret}.
   */
  public static ProxyConfig privateProxy(
      String name, String localAddr, int localPort, List<String> allowed, String secret) {
    return new ProxyConfig(
        name,
        null,
        0,
        localAddr,
        localPort,
        ProxyType.TCP,
        null,
        new PrivateProxyConfig(allowed, secret));
  }

  /** Whether the proxy is private: no public listener, visitors only. */
  public boolean isPrivate() {
    return privateAccess != null;
  }
}
