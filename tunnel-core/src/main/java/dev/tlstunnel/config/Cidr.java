package dev.tlstunnel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address block such as {@code 10.0.0.0/8}, {@code 127.0.0.1} (one address) or {@code fd00::/8}.
 * IPv4 blocks also match IPv4-mapped IPv6 addresses.
 *
 * @param network the block's address bytes (4 or 16), host bits cleared
 * @param prefix the prefix length
 */
public record Cidr(byte[] network, int prefix) {
  /**
   * Parses a literal block; host names are refused (no DNS lookups).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    if (addr.isEmpty() || !(addr.contains(":") || addr.matches("[0-9.]+"))) {
      throw new IllegalArgumentException(
          "must be an IP address or CIDR block such as 10.0.0.0/8 or ::1, got '" + text + "'");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + text + "'");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException(
            "prefix length must be 0 to " + max + ", got '" + text + "'");
      }
    }
    for (int bit = prefix; bit < max; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} lies in this block. */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
      a = new byte[] {a[12], a[13], a[14], a[15]};
    }
    if (a.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >> (bit % 8);
      if ((a[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isMappedV4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }
}
