package dev.tlstunnel.transport;

import static dev.tlstunnel.common.Errors.rootMessage;

import dev.tlstunnel.TlsProvider;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds TLS contexts: TLS 1.3 and 1.2 only, BoringSSL when it loads, the JDK otherwise. */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /** Netty's provider for {@code asked}: {@code OPENSSL} (BoringSSL) where it loads, or JDK. */
  static SslProvider sslProvider(TlsProvider asked) {
    return asked.effective() == TlsProvider.BORINGSSL ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * A server context from PEM files.
   *
   * @throws IOException naming the file when the certificate or key cannot be read or do not match
   */
  public static SslContext forServer(
      Path certPath, Path keyPath, TlsProvider provider, String... alpn) throws IOException {
    requireReadable(certPath, "certificate");
    requireReadable(keyPath, "private key");
    ServerKeyCheck.ServerKey read = ServerKeyCheck.read(certPath, keyPath);
    try {
      // The key goes into an in-memory key store for Netty's key manager: JKS protects it with a
      // few SHA-1 rounds where the default PKCS12 runs PBKDF2 twice (about a tenth of a second of
      // a server's start, and C2 compiling SHA-256). The server asks for no client certificate, so
      // it needs no CAs; Netty would load the system's otherwise.
      return SslContextBuilder.forServer(read.key(), read.chain())
          .keyStoreType("JKS")
          .trustManager(NoClientCertificates.INSTANCE)
          .sslProvider(sslProvider(provider))
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
   * A client context. With a {@code fingerprint} ({@code sha256:<hex>}) it trusts exactly the
   * server certificate with that SHA-256, with no CA or host-name check, and {@code caPath} and
   * {@code skipVerify} are ignored; a mismatch fails the handshake with a message showing the
   * expected and the actual fingerprint. Otherwise it trusts {@code caPath} (or the system's CAs
   * when null) and checks the host name, or trusts anything when {@code skipVerify}.
   */
  public static SslContext forClient(
      Path caPath, boolean skipVerify, String fingerprint, TlsProvider provider, String... alpn)
      throws IOException {
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(sslProvider(provider))
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

  /**
   * The trust of a server that asks for no client certificate: it trusts none, should one be
   * offered anyway.
   */
  private static final class NoClientCertificates extends X509ExtendedTrustManager {
    static final NoClientCertificates INSTANCE = new NoClientCertificates();

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this server accepts no client certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a server context trusts no server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** ALPN offering {@code protocols} in order of preference; none when empty. */
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
