package dev.tlstunnel.transport;

import static dev.tlstunnel.Errors.rootMessage;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/** Builds TLS contexts: TLS 1.3 and 1.2 only, BoringSSL when it loads, the JDK otherwise. */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /** The provider in use: {@code OPENSSL} (BoringSSL) or {@code JDK}. */
  public static SslProvider provider() {
    boolean jdkForced = "jdk".equalsIgnoreCase(System.getProperty("tlstunnel.tls"));
    return !jdkForced && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** A human-readable name of the provider in use, e.g. {@code BoringSSL} or {@code JDK}. */
  public static String providerName() {
    return provider() == SslProvider.OPENSSL ? OpenSsl.versionString() : "JDK";
  }

  /**
   * A server context from PEM files.
   *
   * @throws IOException naming the file when the certificate or key cannot be read or do not match
   */
  public static SslContext forServer(Path certPath, Path keyPath) throws IOException {
    return forServer(certPath, keyPath, new String[0]);
  }

  /**
   * A server context from PEM files that offers {@code alpn} (in order of preference) to clients
   * that ask; none when empty.
   *
   * @throws IOException naming the file when the certificate or key cannot be read or do not match
   */
  public static SslContext forServer(Path certPath, Path keyPath, String... alpn)
      throws IOException {
    requireReadable(certPath, "certificate");
    requireReadable(keyPath, "private key");
    ServerKeyCheck.check(certPath, keyPath);
    try {
      return SslContextBuilder.forServer(certPath.toFile(), keyPath.toFile())
          .sslProvider(provider())
          .protocols(PROTOCOLS)
          .applicationProtocolConfig(alpn(alpn))
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot use certificate "
              + certPath
              + " with key "
              + keyPath
              + ": "
              + rootMessage(e)
              + " (expect PEM files; the key in PKCS#8 and matching the certificate)",
          e);
    }
  }

  /**
   * A client context that trusts {@code caPath} (or the system's CAs when null), or anything when
   * {@code skipVerify}.
   */
  public static SslContext forClient(Path caPath, boolean skipVerify) throws IOException {
    return forClient(caPath, skipVerify, null);
  }

  /**
   * A client context. With a {@code fingerprint} ({@code sha256:<hex>}) it trusts exactly the
   * server certificate with that SHA-256, with no CA or host-name check, and {@code caPath} and
   * {@code skipVerify} are ignored; a mismatch fails the handshake with a message showing the
   * expected and the actual fingerprint. Otherwise it trusts {@code caPath} (or the system's CAs
   * when null) and checks the host name, or trusts anything when {@code skipVerify}.
   */
  public static SslContext forClient(Path caPath, boolean skipVerify, String fingerprint)
      throws IOException {
    return forClient(caPath, skipVerify, fingerprint, new String[0]);
  }

  /** Like {@link #forClient(Path, boolean, String)}, asking the server for {@code alpn}. */
  public static SslContext forClient(
      Path caPath, boolean skipVerify, String fingerprint, String... alpn) throws IOException {
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(provider())
            .protocols(PROTOCOLS)
            .applicationProtocolConfig(alpn(alpn));
    if (fingerprint != null) {
      try {
        builder.trustManager(new PinnedTrustManager(fingerprint));
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    } else if (skipVerify) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (caPath != null) {
        requireReadable(caPath, "CA certificate");
        builder.trustManager(caPath.toFile());
      }
    }
    try {
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException("cannot use CA certificate " + caPath + ": " + rootMessage(e), e);
    }
  }

  private static ApplicationProtocolConfig alpn(String[] protocols) {
    if (protocols.length == 0) {
      return ApplicationProtocolConfig.DISABLED;
    }
    return new ApplicationProtocolConfig(
        ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
        protocols);
  }

  private static void requireReadable(Path path, String what) throws IOException {
    if (!Files.isReadable(path)) {
      throw new IOException(
          "cannot read "
              + what
              + " "
              + path
              + (Files.exists(path) ? ": permission denied" : ": no such file"));
    }
  }
}
