package dev.tlstunnel.protocol;

/**
 * Server to client, one per registered proxy: accepted, or rejected with the reason.
 *
 * @param proxyName the proxy this result is for
 * @param accepted whether the server took the proxy
 * @param reason why it was rejected (null when accepted)
 * @param note anything the client should know about an accepted proxy, e.g. a clamped retry policy
 * @param bindRetry the retry policy in force for the proxy, when accepted
 * @param publishPort when accepted: the port the proxy is published on, the one the server picked
 *     when the client asked for 0; null from servers that predate it
 */
public record ProxyRegistrationResult(
    String proxyName,
    boolean accepted,
    String reason,
    String note,
    BindRetrySpec bindRetry,
    Integer publishPort)
    implements ControlMessage {

  /** A result that names no port. */
  public ProxyRegistrationResult(
      String proxyName, boolean accepted, String reason, String note, BindRetrySpec bindRetry) {
    this(proxyName, accepted, reason, note, bindRetry, null);
  }
}
