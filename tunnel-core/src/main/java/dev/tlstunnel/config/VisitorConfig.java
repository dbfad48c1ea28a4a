package dev.tlstunnel.config;

/**
 * One visitor ({@code [[visitors]]}): a local listener whose every connection reaches the private
 * proxy {@code target} of another client through the server.
 *
 * @param name unique among the client's visitors, {@code [A-Za-z0-9._-]{1,64}}
 * @param target {@code CLIENT_ID/PROXY}: the publisher's client id and the proxy's name
 * @param bindAddr the local listener's address (loopback by default)
 * @param bindPort the local listener's port (0 picks a free one)
 * @param secret the private proxy's secret; never logged
 * @param bindRetry how the local listener retries a failed bind
 */
public record VisitorConfig(
    String name,
    String target,
    String bindAddr,
    int bindPort,
    String secret,
    BindRetryPolicy bindRetry) {

  /** Default local address: loopback only. */
  public static final String DEFAULT_BIND_ADDR = "127.0.0.1";

  /** A visitor on loopback with the default bind retry policy. */
  public static VisitorConfig of(String name, String target, int bindPort, String secret) {
    return new VisitorConfig(
        name, target, DEFAULT_BIND_ADDR, bindPort, secret, BindRetryPolicy.DEFAULT);
  }

  /** The publisher's client id: the part of {@code target} before the slash. */
  public String targetClientId() {
    int slash = target.indexOf('/');
    return slash < 0 ? target : target.substring(0, slash);
  }

  /** The proxy's name: the part of {@code target} after the slash. */
  public String targetProxy() {
    int slash = target.indexOf('/');
    return slash < 0 ? "" : target.substring(slash + 1);
  }

  /** Every component, with the secret as {@code ***}. */
  @Override
  public String toString() {
    return "VisitorConfig[name="
        + name
        + ", target="
        + target
        + ", bindAddr="
        + bindAddr
        + ", bindPort="
        + bindPort
        + ", secret="
        + (secret == null ? null : "***")
        + ", bindRetry="
        + bindRetry
        + "]";
  }
}
