package dev.tlstunnel.config;

import java.util.Locale;
import java.util.Set;

/**
 * Addresses as configurations, logs and messages write them: {@code host:port} with IPv6 literals
 * in brackets, and the wildcard addresses that mean "every address of this host".
 */
public final class Addresses {
  /** Every spelling of a wildcard address accepted in configurations. */
  private static final Set<String> WILDCARDS =
      Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "[0:0:0:0:0:0:0:0]", "::0");

  private Addresses() {}

  /** {@code host:port}, or {@code [v6]:port} for an IPv6 literal not yet in brackets. */
  public static String hostPort(String host, int port) {
    boolean ipv6 = host != null && host.indexOf(':') >= 0 && !host.startsWith("[");
    return (ipv6 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The host of a checked {@code host:port} (or {@code [v6]:port}), without brackets. */
  public static String host(String hostPort) {
    return unbracketed(hostPort.substring(0, hostPort.lastIndexOf(':')));
  }

  /** The port of a checked {@code host:port} (or {@code [v6]:port}). */
  public static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /**
   * Whether {@code addr} is a wildcard address ({@code 0.0.0.0}, {@code ::} and their other
   * spellings), or empty: a listener there accepts on every address of the host.
   */
  public static boolean isWildcard(String addr) {
    return addr != null
        && (addr.isBlank() || WILDCARDS.contains(addr.trim().toLowerCase(Locale.ROOT)));
  }

  /** Whether a listener on {@code a} and one on {@code b}, same port, would collide. */
  public static boolean overlap(String a, String b) {
    return isWildcard(a) || isWildcard(b) || unbracketed(a).equalsIgnoreCase(unbracketed(b));
  }

  private static String unbracketed(String addr) {
    String s = addr.trim();
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }
}
