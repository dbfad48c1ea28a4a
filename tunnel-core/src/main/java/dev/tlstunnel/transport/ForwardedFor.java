package dev.tlstunnel.transport;

import dev.tlstunnel.egress.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the real client behind trusted reverse proxies. Reads {@code X-Forwarded-For} (or, when
 * there is none, the {@code for=} parameters of {@code Forwarded}, RFC 7239) from right to left,
 * skipping addresses of trusted proxies; the first untrusted address is the client. Only used when
 * the socket's peer is itself trusted, so a client cannot name itself.
 */
final class ForwardedFor {
  private final List<Cidr> trusted;

  ForwardedFor(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  boolean trusts(InetAddress address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client's address, or null when {@code peer} is not trusted or the headers name none.
   *
   * @param xForwardedFor every {@code X-Forwarded-For} value, in order
   * @param forwarded every {@code Forwarded} value, in order
   */
  InetSocketAddress client(InetAddress peer, List<String> xForwardedFor, List<String> forwarded) {
    if (peer == null || !trusts(peer)) {
      return null;
    }
    List<String> hops = new ArrayList<>();
    if (!xForwardedFor.isEmpty()) {
      xForwardedFor.forEach(v -> split(v, hops));
    } else {
      forwarded.forEach(v -> forParameters(v, hops));
    }
    InetAddress last = null;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        return last == null ? null : new InetSocketAddress(last, 0);
      }
      last = hop;
      if (!trusts(hop)) {
        break;
      }
    }
    return last == null ? null : new InetSocketAddress(last, 0);
  }

  private static void split(String value, List<String> out) {
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
  }

  private static void forParameters(String value, List<String> out) {
    for (String element : value.split(",")) {
      for (String pair : element.split(";")) {
        String p = pair.trim();
        if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
          out.add(p.substring(4).trim());
        }
      }
    }
  }

  /** An IP literal ({@code 1.2.3.4}, {@code "[::1]:80"}, {@code 1.2.3.4:80}), or null. */
  static InetAddress literal(String hop) {
    String s = hop.trim();
    if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      s = end < 0 ? "" : s.substring(1, end);
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      s = s.substring(0, s.indexOf(':'));
    }
    boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]{2,45}");
    boolean v4 = s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    if (!v4 && !v6) {
      return null; // "unknown", an obfuscated name, or garbage: no address
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
