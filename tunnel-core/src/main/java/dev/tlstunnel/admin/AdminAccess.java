package dev.tlstunnel.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Who may read an admin listener: anyone (no token, no user), or a request carrying {@code
 * Authorization: Bearer <token>} or basic credentials ({@code user:password}). Compared in constant
 * time.
 */
public record AdminAccess(String token, String user, String password) {
  /** No authentication. */
  public static final AdminAccess OPEN = new AdminAccess(null, null, null);

  /** Whether requests must authenticate. */
  public boolean required() {
    return token != null || user != null;
  }

  /** Whether basic credentials are accepted (browsers ask for them). */
  public boolean basic() {
    return user != null;
  }

  /** Whether {@code request} may be answered. */
  public boolean admits(HttpRequest request) {
    if (!required()) {
      return true;
    }
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null) {
      return false;
    }
    if (token != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return same(header.substring(7).trim(), token);
    }
    if (user != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String expected =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return same(header.substring(6).trim(), expected);
    }
    return false;
  }

  private static boolean same(String given, String expected) {
    return MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "AdminAccess[token=" + (token == null ? "none" : "***") + ", user=" + user + "]";
  }
}
