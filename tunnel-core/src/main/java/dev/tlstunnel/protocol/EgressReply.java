package dev.tlstunnel.protocol;

/**
 * The server's answer to an {@link EgressRequest}, the first frame it writes on the stream.
 *
 * @param status {@value #CONNECTED} or {@value #REFUSED}; raw bytes follow only after {@code
 *     connected}, and the server closes the stream after {@code refused}
 * @param code when refused: {@code not_allowed}, {@code dns_failed}, {@code refused}, {@code
 *     unreachable}, {@code timeout}, {@code tunnel_unavailable} or {@code failed} (unknown codes
 *     mean {@code failed})
 * @param reason when refused: one line for the user
 * @param address when connected: the address the server connected to
 */
public record EgressReply(String status, String code, String reason, String address) {
  public static final String CONNECTED = "connected";
  public static final String REFUSED = "refused";

  public static EgressReply connected(String address) {
    return new EgressReply(CONNECTED, null, null, address);
  }

  public static EgressReply refused(String code, String reason) {
    return new EgressReply(REFUSED, code, reason, null);
  }

  public boolean succeeded() {
    return CONNECTED.equals(status);
  }
}
