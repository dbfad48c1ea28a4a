package dev.tlstunnel.server;

import static dev.tlstunnel.common.Errors.rootMessage;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Words for a failed TLS handshake in the server's log. An alert the client sent about the server's
 * certificate reads as what it means, followed by the TLS library's own text, since BoringSSL's
 * ({@code error:10000438:SSL routines:...}) and the JDK's wording tell an operator little.
 */
final class HandshakeFailures {
  /**
   * The alerts a client sends when it does not accept the server's certificate: {@code
   * certificate_unknown} (the JDK's and BoringSSL's rejection of a pinned or untrusted
   * certificate), {@code internal_error} (how a BoringSSL client reports a failed certificate
   * check), and {@code bad_certificate}.
   */
  private static final Pattern REJECTED_CERTIFICATE =
      Pattern.compile(
          "alert[_ :a-z]*(certificate_unknown|internal_error|bad_certificate)",
          Pattern.CASE_INSENSITIVE);

  private HandshakeFailures() {}

  static String describe(Throwable cause, long handshakeTimeoutMillis) {
    if (cause instanceof SslHandshakeTimeoutException) {
      return "limit handshake_timeout=" + handshakeTimeoutMillis + "ms reached";
    }
    String message = rootMessage(cause);
    if (REJECTED_CERTIFICATE.matcher(message.toLowerCase(Locale.ROOT)).find()) {
      return "the client rejected this server's certificate (probably a pinned fingerprint that"
          + " does not match): "
          + message;
    }
    return message;
  }
}
