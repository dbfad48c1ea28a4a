package dev.tlstunnel.forward;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** A forwarder's user name and password, compared in constant time. */
final class Credentials {
  private final byte[] username;
  private final byte[] password;

  private Credentials(String username, String password) {
    this.username = username.getBytes(StandardCharsets.UTF_8);
    this.password = password.getBytes(StandardCharsets.UTF_8);
  }

  /** Credentials to check, or null when the forwarder asks for none. */
  static Credentials of(String username, String password) {
    return username == null ? null : new Credentials(username, password);
  }

  boolean matches(String user, String pass) {
    if (user == null || pass == null) {
      return false;
    }
    boolean u = MessageDigest.isEqual(username, user.getBytes(StandardCharsets.UTF_8));
    boolean p = MessageDigest.isEqual(password, pass.getBytes(StandardCharsets.UTF_8));
    return u & p;
  }

  /** Checks a {@code Proxy-Authorization} header value ({@code Basic base64(user:pass)}). */
  boolean matchesBasic(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon >= 0 && matches(decoded.substring(0, colon), decoded.substring(colon + 1));
  }
}
