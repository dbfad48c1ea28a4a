package dev.tlstunnel.config;

/**
 * One proxy of a client: the server publishes {@code publishAddr:publishPort} and the client
 * forwards each connection to {@code localAddr:localPort}.
 *
 * @param bindRetry the retry policy this proxy asks the server for, or null for the server's own
 */
public record ProxyConfig(
    String name,
    String publishAddr,
    int publishPort,
    String localAddr,
    int localPort,
    ProxyType proxyType,
    BindRetryPolicy bindRetry) {

  /** Default publish address: every IPv4 address of the server. */
  public static final String DEFAULT_PUBLISH_ADDR = "0.0.0.0";

  /** Default local service address: loopback. */
  public static final String DEFAULT_LOCAL_ADDR = "127.0.0.1";
}
