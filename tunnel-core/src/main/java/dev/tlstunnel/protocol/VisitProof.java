package dev.tlstunnel.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The visitor's proof that it knows a private proxy's secret, without sending the secret:
 *
 * <pre>
 * visitor_key = HMAC-SHA256(key = secret, "tls-tunnel visitor key v1\n" + target)
 * proof       = HMAC-SHA256(key = visitor_key,
 *                 "tls-tunnel visit v1\n" + nonce + "\n" + seq + "\n" + target + "\n" + visitor)
 * </pre>
 *
 * All strings UTF-8; {@code target} is {@code CLIENT_ID/PROXY}, {@code nonce} the session's {@link
 * VisitNonce} (hex), {@code seq} the stream's sequence number in decimal, {@code visitor} the
 * visitor's client id; keys and proofs travel as lower-case hex. The publisher registers only
 * {@code visitor_key}, bound to its target; the server checks proofs against it in constant time.
 */
public final class VisitProof {
  /** Bytes of a nonce, a key and a proof. */
  public static final int SIZE = 32;

  private static final HexFormat HEX = HexFormat.of();

  private VisitProof() {}

  /** The proof key of {@code target} for {@code secret}, as hex. */
  public static String visitorKey(String secret, String target) {
    return HEX.formatHex(
        hmac(secret.getBytes(StandardCharsets.UTF_8), "tls-tunnel visitor key v1\n" + target));
  }

  /** The proof of one visit, as hex; {@code visitorKey} as from {@link #visitorKey}. */
  public static String proof(
      String visitorKey, String nonce, long seq, String target, String visitor) {
    return HEX.formatHex(proofBytes(HEX.parseHex(visitorKey), nonce, seq, target, visitor));
  }

  /**
   * Whether {@code presented} is the proof of this visit. Compares in constant time; a presented
   * value that is not 64 hex digits is simply wrong.
   */
  public static boolean matches(
      String visitorKey, String nonce, long seq, String target, String visitor, String presented) {
    byte[] expected = proofBytes(HEX.parseHex(visitorKey), nonce, seq, target, visitor);
    boolean wellFormed = isHex32(presented);
    byte[] actual = wellFormed ? HEX.parseHex(presented) : new byte[SIZE];
    return MessageDigest.isEqual(expected, actual) & wellFormed;
  }

  /** Whether {@code value} is 64 lower-case hex digits, the form of a key, nonce or proof. */
  public static boolean isHex32(String value) {
    if (value == null || value.length() != 2 * SIZE) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  /** A fresh nonce from {@code random}, as hex. */
  public static String newNonce(SecureRandom random) {
    byte[] nonce = new byte[SIZE];
    random.nextBytes(nonce);
    return HEX.formatHex(nonce);
  }

  private static byte[] proofBytes(
      byte[] key, String nonce, long seq, String target, String visitor) {
    return hmac(key, "tls-tunnel visit v1\n" + nonce + "\n" + seq + "\n" + target + "\n" + visitor);
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
