package dev.tlstunnel.egress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

/**
 * An address range such as {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a range of
 * one. IPv4 ranges also match IPv6 forms that embed a matching IPv4 address (see {@link
 * Addresses#canonical}).
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code addr/prefix} or {@code addr}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Cidr parse(String spec) {
    String s = spec.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    Optional<InetAddress> parsed = Addresses.literal(addr);
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException(
          "'" + spec + "' is not an IP address or CIDR range (e.g. 10.0.0.0/8 or ::1)");
    }
    InetAddress address = parsed.get();
    if (!(address instanceof Inet4Address)) {
      InetAddress canonical = Addresses.canonical(address);
      if (canonical instanceof Inet4Address && slash < 0) {
        address = canonical;
      }
    }
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "'" + spec + "': the prefix length must be between 0 and " + bits);
      }
    }
    byte[] network = mask(address.getAddress(), prefix);
    return new Cidr(network, prefix, spec.strip());
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = Arrays.copyOf(address, address.length);
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF00 >>> keep));
    }
    return out;
  }

  /** Whether {@code address} (in its canonical form, or as given) lies in this range. */
  public boolean contains(InetAddress address) {
    return matches(Addresses.canonical(address).getAddress()) || matches(address.getAddress());
  }

  private boolean matches(byte[] a) {
    return a.length == network.length && Arrays.equals(mask(a, prefix), network);
  }

  /** Whether this range is exactly one address. */
  public boolean single() {
    return prefix == network.length * 8;
  }

  @Override
  public String toString() {
    return text;
  }
}
