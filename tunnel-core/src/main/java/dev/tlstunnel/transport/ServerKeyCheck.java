package dev.tlstunnel.transport;

import static dev.tlstunnel.common.Errors.rootMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the server's PEM certificate chain and key for the TLS context, so each common mistake gets
 * its own message: a file that holds no PEM certificate, a key not in PKCS#8, and a key that does
 * not belong to the certificate (which TLS libraries only notice at the first handshake, on the
 * client's side). The JDK parses both: Netty's own PEM reading turns to Bouncy Castle whenever it
 * is on the class path, which loads some 700 of its classes into every server.
 */
final class ServerKeyCheck {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  private static final byte[] PROBE = "tls-tunnel key check".getBytes(StandardCharsets.US_ASCII);

  private ServerKeyCheck() {}

  /**
   * The key and the certificates of {@code certPath}, the server's own first.
   *
   * @param chain every {@code CERTIFICATE} block of the certificate file, in its order
   */
  record ServerKey(PrivateKey key, X509Certificate[] chain) {}

  /**
   * @throws IOException one line naming the file and what to do
   */
  static ServerKey read(Path certPath, Path keyPath) throws IOException {
    X509Certificate[] chain = certificates(certPath);
    X509Certificate cert = chain[0];
    PrivateKey key = privateKey(keyPath, cert.getPublicKey().getAlgorithm());
    if (!matches(key, cert.getPublicKey())) {
      throw new IOException(
          "private key "
              + keyPath
              + " does not match certificate "
              + certPath
              + ": use the key file that was created together with this certificate");
    }
    return new ServerKey(key, chain);
  }

  private static X509Certificate[] certificates(Path certPath) throws IOException {
    Matcher pem = firstBlock(certPath, "certificate");
    if (pem == null || !pem.group(1).equals("CERTIFICATE")) {
      throw new IOException(
          "certificate "
              + certPath
              + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); point cert_path at the"
              + " certificate file, not the key");
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      do {
        if (pem.group(1).equals("CERTIFICATE")) {
          chain.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(decode(pem, certPath))));
        }
      } while (pem.find());
    } catch (CertificateException e) {
      throw new IOException("certificate " + certPath + " cannot be parsed: " + rootMessage(e), e);
    }
    return chain.toArray(new X509Certificate[0]);
  }

  private static PrivateKey privateKey(Path keyPath, String algorithm) throws IOException {
    Matcher pem = firstBlock(keyPath, "private key");
    String type = pem == null ? null : pem.group(1);
    if (type == null || !type.endsWith("PRIVATE KEY")) {
      throw new IOException(
          "private key "
              + keyPath
              + " holds no PEM private key (-----BEGIN PRIVATE KEY-----); point key_path at the"
              + " key file, not the certificate");
    }
    if (!type.equals("PRIVATE KEY")) {
      throw new IOException(
          "private key "
              + keyPath
              + " is "
              + type
              + ", not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt -in "
              + keyPath
              + " -out key-pkcs8.pem");
    }
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(decode(pem, keyPath)));
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "private key "
              + keyPath
              + " is not a "
              + algorithm
              + " key like the certificate's: use the key file that was created together with the"
              + " certificate",
          e);
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) throws IOException {
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "EdDSA", "Ed25519" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true; // an unusual key type: leave the check to the TLS library
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Matcher firstBlock(Path file, String what) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IOException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
    Matcher m = PEM.matcher(text);
    return m.find() ? m : null;
  }

  private static byte[] decode(Matcher pem, Path file) throws IOException {
    try {
      return Base64.getMimeDecoder().decode(pem.group(2));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": broken PEM (bad base64): " + e.getMessage(), e);
    }
  }
}
