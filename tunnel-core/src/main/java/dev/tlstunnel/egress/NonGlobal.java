package dev.tlstunnel.egress;

import java.net.InetAddress;
import java.util.List;

/**
 * The address ranges a forwarded connection must not reach unless allowed explicitly: everything
 * that is not a global unicast address (IANA's special-purpose registries), and the cloud metadata
 * services. Checked on the canonical form of an address.
 */
public final class NonGlobal {
  private record Range(Cidr cidr, String what) {}

  /** Instance metadata services of the large clouds (AWS, GCP, Azure, Alibaba...). */
  private static final List<Range> METADATA =
      List.of(
          range("169.254.169.254", "a cloud metadata address"),
          range("fd00:ec2::254", "a cloud metadata address"),
          range("100.100.100.200", "a cloud metadata address"));

  private static final List<Range> RANGES =
      List.of(
          range("0.0.0.0/8", "in 0.0.0.0/8 (this network)"),
          range("10.0.0.0/8", "private (RFC 1918)"),
          range("100.64.0.0/10", "shared address space (100.64.0.0/10)"),
          range("127.0.0.0/8", "loopback"),
          range("169.254.0.0/16", "link-local"),
          range("172.16.0.0/12", "private (RFC 1918)"),
          range("192.0.0.0/24", "reserved for IETF protocols (192.0.0.0/24)"),
          range("192.0.2.0/24", "documentation (192.0.2.0/24)"),
          range("192.88.99.0/24", "reserved (6to4 relay anycast)"),
          range("192.168.0.0/16", "private (RFC 1918)"),
          range("198.18.0.0/15", "reserved for benchmarking (198.18.0.0/15)"),
          range("198.51.100.0/24", "documentation (198.51.100.0/24)"),
          range("203.0.113.0/24", "documentation (203.0.113.0/24)"),
          range("224.0.0.0/4", "multicast"),
          range("240.0.0.0/4", "reserved (240.0.0.0/4)"),
          range("::/128", "unspecified"),
          range("::1/128", "loopback"),
          range("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
          range("100::/64", "discard-only (100::/64)"),
          range("2001::/23", "reserved for IETF protocols (2001::/23)"),
          range("2001:db8::/32", "documentation (2001:db8::/32)"),
          range("fc00::/7", "unique-local"),
          range("fe80::/10", "link-local"),
          range("fec0::/10", "site-local (deprecated)"),
          range("ff00::/8", "multicast"));

  private NonGlobal() {}

  private static Range range(String cidr, String what) {
    return new Range(Cidr.parse(cidr), what);
  }

  /** Why {@code address} is a cloud metadata address, or null. */
  public static String metadata(InetAddress address) {
    for (Range r : METADATA) {
      if (r.cidr().contains(address)) {
        return r.what();
      }
    }
    return null;
  }

  /** Why {@code address} is not a global address ({@code "loopback"}...), or null when it is. */
  public static String why(InetAddress address) {
    InetAddress canonical = Addresses.canonical(address);
    String meta = metadata(canonical);
    if (meta != null) {
      return meta;
    }
    for (Range r : RANGES) {
      // both forms: an embedded private IPv4 address, or a non-global IPv6 range such as Teredo
      if (r.cidr().contains(canonical) || r.cidr().contains(address)) {
        return r.what();
      }
    }
    return null;
  }
}
