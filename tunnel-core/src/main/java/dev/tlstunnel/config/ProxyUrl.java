package dev.tlstunnel.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An outbound proxy the client dials the server through: {@code http://[user:pass@]host:port} (HTTP
 * CONNECT) or {@code socks5://[user:pass@]host:port}. Credentials may be percent-encoded.
 *
 * @param kind HTTP CONNECT or SOCKS5
 * @param host the proxy's host name or address
 * @param port the proxy's port
 * @param username the user name, or null
 * @param password the password, or null
 */
public record ProxyUrl(Kind kind, String host, int port, String username, String password) {
  /** The proxy protocol. */
  public enum Kind {
    HTTP,
    SOCKS5
  }

  /**
   * Parses {@code url}.
   *
   * @throws IllegalArgumentException saying what is wrong, e.g. {@code scheme must be http or
   *     socks5, got 'ftp'}
   */
  public static ProxyUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Kind kind =
        switch (scheme) {
          case "http" -> Kind.HTTP;
          case "socks5", "socks5h" -> Kind.SOCKS5;
          default ->
              throw new IllegalArgumentException(
                  "scheme must be http or socks5 (e.g. http://proxy:3128), got '"
                      + (uri.getScheme() == null ? redact(url) : uri.getScheme())
                      + "'");
        };
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("no proxy host in '" + redact(url) + "'");
    }
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      throw new IllegalArgumentException(
          "no port in '" + redact(url) + "' (e.g. http://proxy:3128 or socks5://proxy:1080)");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null) {
      throw new IllegalArgumentException(
          "must be scheme://[user:password@]host:port with no path, got '" + redact(url) + "'");
    }
    String user = null;
    String pass = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      pass = colon < 0 ? "" : decode(info.substring(colon + 1));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new ProxyUrl(kind, host, uri.getPort(), user, pass);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** {@code url} with the password, if any, replaced by {@code ***}. */
  public static String redact(String url) {
    int at = url.lastIndexOf('@');
    int scheme = url.indexOf("://");
    if (at < 0 || scheme < 0 || at < scheme) {
      return url;
    }
    int colon = url.indexOf(':', scheme + 3);
    return colon >= 0 && colon < at ? url.substring(0, colon + 1) + "***" + url.substring(at) : url;
  }

  /** {@code host:port} of the proxy, for messages. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Every component but the password, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ProxyUrl[kind="
        + kind
        + ", host="
        + host
        + ", port="
        + port
        + ", username="
        + username
        + ", password="
        + (password == null ? null : "***")
        + "]";
  }
}
