package dev.tlstunnel.egress;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Address literals and canonical forms. {@link #literal} reads IPv4 the way {@code inet_aton} does
 * (one to four parts, each decimal, octal with a leading {@code 0} or hex with {@code 0x}: {@code
 * 2130706433}, {@code 0177.0.0.1} and {@code 0x7f.1} are all 127.0.0.1), so a target means the same
 * here as to any C program. {@link #canonical} reduces IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}, Teredo) to
 * that IPv4 address, so a check cannot be passed by spelling an address differently.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * The address {@code host} spells, or empty when it is a name. IPv6 literals may be in brackets;
   * zone ids ({@code fe80::1%eth0}) are not accepted.
   */
  public static Optional<InetAddress> literal(String host) {
    String h = host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty()) {
      return Optional.empty();
    }
    if (h.indexOf(':') >= 0) {
      return ipv6(h);
    }
    return ipv4(h);
  }

  private static Optional<InetAddress> ipv6(String h) {
    if (h.indexOf('%') >= 0 || !NetUtil.isValidIpV6Address(h)) {
      return Optional.empty();
    }
    return Optional.ofNullable(NetUtil.createInetAddressFromIpAddressString(h));
  }

  /** inet_aton: a.b.c.d, a.b.c (c 16 bits), a.b (b 24 bits), a (32 bits). */
  static Optional<InetAddress> ipv4(String h) {
    if (h.endsWith(".")) {
      return Optional.empty();
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length > 4) {
      return Optional.empty();
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Long v = number(parts[i]);
      if (v == null) {
        return Optional.empty();
      }
      values[i] = v;
    }
    long address = 0;
    for (int i = 0; i < values.length - 1; i++) {
      if (values[i] > 255) {
        return Optional.empty();
      }
      address |= values[i] << (24 - 8 * i);
    }
    long last = values[values.length - 1];
    int lastBits = 32 - 8 * (values.length - 1);
    if (last >= (1L << lastBits)) {
      return Optional.empty();
    }
    address |= last;
    return Optional.of(ipv4((int) address));
  }

  private static Long number(String part) {
    String p = part.toLowerCase(Locale.ROOT);
    int radix = 10;
    if (p.startsWith("0x")) {
      radix = 16;
      p = p.substring(2);
      if (p.isEmpty()) {
        return 0L;
      }
    } else if (p.length() > 1 && p.startsWith("0")) {
      radix = 8;
      p = p.substring(1);
    }
    if (p.isEmpty() || p.length() > 11) {
      return null;
    }
    try {
      long v = Long.parseLong(p, radix);
      return v < 0 || v > 0xFFFFFFFFL ? null : v;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The IPv4 address embedded in an IPv6 form that carries one, else {@code address} itself. */
  public static InetAddress canonical(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    if (zeros(b, 0, 10) && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
      return ipv4(b, 12); // ::ffff:a.b.c.d
    }
    if (zeros(b, 0, 12) && !zeros(b, 12, 16) && !(zeros(b, 12, 15) && b[15] == 1)) {
      return ipv4(b, 12); // ::a.b.c.d (IPv4-compatible, deprecated); not :: or ::1
    }
    if (word(b, 0) == 0x0064 && word(b, 2) == 0xff9b && zeros(b, 4, 12)) {
      return ipv4(b, 12); // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
    }
    if (word(b, 0) == 0x2002) {
      return ipv4(b, 2); // 2002:aabb:ccdd::/48 (6to4)
    }
    if (word(b, 0) == 0x2001 && word(b, 2) == 0x0000) {
      byte[] client = new byte[4]; // Teredo: the client's address, inverted, in the last 32 bits
      for (int i = 0; i < 4; i++) {
        client[i] = (byte) ~b[12 + i];
      }
      return ipv4(client, 0);
    }
    return address;
  }

  private static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static int word(byte[] b, int at) {
    return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
  }

  private static InetAddress ipv4(byte[] b, int at) {
    byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
    try {
      return InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetAddress ipv4(int address) {
    return ipv4(
        new byte[] {
          (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
        },
        0);
  }

  /** {@code 1.2.3.4} or {@code 2001:db8::1} (RFC 5952), without a host name or slash. */
  public static String text(InetAddress address) {
    return NetUtil.toAddressString(address);
  }
}
