package dev.tlstunnel;

import io.netty.handler.ssl.OpenSsl;
import java.util.Locale;

/**
 * The TLS implementation a tunnel uses: BoringSSL (through netty-tcnative) when it loads, the JDK's
 * otherwise. The system property {@code tlstunnel.tls=jdk} changes the default; a builder's {@code
 * tlsProvider(...)} overrides both.
 */
public enum TlsProvider {
  /** BoringSSL, when it loads on this platform (otherwise the JDK is used). */
  BORINGSSL,
  /** The JDK's TLS. */
  JDK;

  /** The default: {@code -Dtlstunnel.tls=jdk} asks for the JDK, else BoringSSL where it loads. */
  public static TlsProvider fromSystemProperty() {
    String asked = System.getProperty("tlstunnel.tls", "");
    return asked.toLowerCase(Locale.ROOT).equals("jdk") ? JDK : BORINGSSL;
  }

  /** The provider that asking for this one gives: BoringSSL only where it loads. */
  public TlsProvider effective() {
    return this == BORINGSSL && OpenSsl.isAvailable() ? BORINGSSL : JDK;
  }

  /**
   * What {@link #effective()} is, for a version line or a log: {@code BoringSSL}, or {@code JDK}
   * with the reason BoringSSL is not used.
   */
  public String describe() {
    if (effective() == BORINGSSL) {
      return OpenSsl.versionString();
    }
    if (this == JDK) {
      return "JDK";
    }
    Throwable cause = OpenSsl.unavailabilityCause();
    String why = cause == null ? null : cause.getMessage();
    if (why == null || why.isBlank()) {
      why = cause == null ? "unknown reason" : cause.getClass().getSimpleName();
    }
    return "JDK (BoringSSL not available: " + why.lines().findFirst().orElse(why) + ")";
  }
}
