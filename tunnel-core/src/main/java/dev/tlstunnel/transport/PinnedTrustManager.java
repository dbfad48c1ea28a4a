package dev.tlstunnel.transport;

import dev.tlstunnel.config.Fingerprints;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, the one whose SHA-256 fingerprint was configured, and
 * nothing else: no CA chain, no host name, no validity dates (the pin is the trust decision, as
 * with SSH host keys). Refuses every client certificate.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final String expected;

  /**
   * @param fingerprint {@code sha256:<hex>}, colons and upper case allowed
   */
  PinnedTrustManager(String fingerprint) {
    this.expected = Fingerprints.normalize(fingerprint);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("server sent no certificate; expected " + expected);
    }
    String actual = Fingerprints.sha256(chain[0].getEncoded());
    if (!actual.equals(expected)) {
      throw new FingerprintMismatchException(expected, actual);
    }
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
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a pinned client context does not accept client certificates");
  }

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
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }
}
