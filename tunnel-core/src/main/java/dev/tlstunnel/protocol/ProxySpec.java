package dev.tlstunnel.protocol;

/**
 * One proxy the client asks the server to publish.
 *
 * @param name unique name of the proxy within the server
 * @param publishAddr the address the server listens on; null for a private proxy
 * @param publishPort the port the server listens on; 0 for a private proxy
 * @param proxyType {@code tcp}, {@code http/1.1} or {@code http/2.0}
 * @param bindRetry the bind retry policy the client asks for, or null for the server's
 * @param privateAccess who may visit the proxy when it is private (no public listener), or null for
 *     a public proxy
 * @param replace true in a later {@code register_proxies} of the session: this proxy replaces the
 *     session's proxy of the same name (a reload changed it), which the server keeps when the new
 *     one cannot be had; null or false for a new proxy
 */
public record ProxySpec(
    String name,
    String publishAddr,
    int publishPort,
    String proxyType,
    BindRetrySpec bindRetry,
    PrivateAccess privateAccess,
    Boolean replace) {

  /** A new proxy (not a replacement). */
  public ProxySpec(
      String name,
      String publishAddr,
      int publishPort,
      String proxyType,
      BindRetrySpec bindRetry,
      PrivateAccess privateAccess) {
    this(name, publishAddr, publishPort, proxyType, bindRetry, privateAccess, null);
  }

  /** A new public proxy. */
  public ProxySpec(
      String name, String publishAddr, int publishPort, String proxyType, BindRetrySpec bindRetry) {
    this(name, publishAddr, publishPort, proxyType, bindRetry, null);
  }

  /** Whether this spec replaces the session's proxy of the same name. */
  public boolean replaces() {
    return Boolean.TRUE.equals(replace);
  }
}
