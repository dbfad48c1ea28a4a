package dev.tlstunnel.protocol;

/**
 * The server's answer to {@link ClientHello}.
 *
 * @param ok whether the client is authenticated
 * @param error why not, when {@code ok} is false
 * @param serverVersion the server's software version
 * @param code why not, for programs: {@link #INVALID_AUTH_KEY} or {@link #UNSUPPORTED_PROTOCOL};
 *     null from servers that predate it (which refuse only for those two reasons) and when {@code
 *     ok}
 */
public record AuthResult(boolean ok, String error, String serverVersion, String code)
    implements ControlMessage {
  /** The key did not match the server's. */
  public static final String INVALID_AUTH_KEY = "invalid_auth_key";

  /** The server does not speak the client's protocol version. */
  public static final String UNSUPPORTED_PROTOCOL = "unsupported_protocol";

  /** A result without a code. */
  public AuthResult(boolean ok, String error, String serverVersion) {
    this(ok, error, serverVersion, null);
  }
}
