package dev.tlstunnel.protocol;

/**
 * One proxy the client asks the server to publish.
 *
 * @param name unique name of the proxy within the server
 * @param publishAddr the address the server listens on
 * @param publishPort the port the server listens on; 0 lets the server pick one (and keep it)
 * @param proxyType {@code tcp}, {@code http/1.1}, {@code http/2.0} or {@code ssh}
 * @param bindRetry the bind retry policy the client asks for, or null for the server's
 * @param group the load-balancing group the proxy joins, or null
 */
public record ProxySpec(
    String name,
    String publishAddr,
    int publishPort,
    String proxyType,
    BindRetrySpec bindRetry,
    GroupSpec group) {

  /** A proxy in no group. */
  public ProxySpec(
      String name, String publishAddr, int publishPort, String proxyType, BindRetrySpec bindRetry) {
    this(name, publishAddr, publishPort, proxyType, bindRetry, null);
  }
}
