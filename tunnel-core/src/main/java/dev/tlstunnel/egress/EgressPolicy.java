package dev.tlstunnel.egress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a forwarded connection may go to an address and port. In order: an address in
 * {@code allow} is allowed (a cloud metadata address only when listed as a single address); one in
 * {@code deny} is refused; a non-global address is refused; then the port must be in {@code
 * allowPorts} when that is not empty, and not in {@code denyPorts}. With empty lists this is the
 * default SSRF protection: every global address, any port. Immutable and thread-safe.
 */
public final class EgressPolicy {
  /** Global addresses only, any port. */
  public static final EgressPolicy DEFAULT =
      new EgressPolicy(List.of(), List.of(), List.of(), List.of());

  /** A decision; {@code reason} names the address, port and rule when refused. */
  public record Verdict(boolean allowed, String reason) {
    static final Verdict ALLOWED = new Verdict(true, null);

    static Verdict refused(String reason) {
      return new Verdict(false, reason);
    }
  }

  private final List<Cidr> allow;
  private final List<Cidr> deny;
  private final List<PortRange> allowPorts;
  private final List<PortRange> denyPorts;

  public EgressPolicy(
      List<Cidr> allow, List<Cidr> deny, List<PortRange> allowPorts, List<PortRange> denyPorts) {
    this.allow = List.copyOf(allow);
    this.deny = List.copyOf(deny);
    this.allowPorts = List.copyOf(allowPorts);
    this.denyPorts = List.copyOf(denyPorts);
  }

  /**
   * A policy from the text of its lists.
   *
   * @throws IllegalArgumentException naming the first entry that does not parse
   */
  public static EgressPolicy parse(
      List<String> allow, List<String> deny, List<String> allowPorts, List<String> denyPorts) {
    return new EgressPolicy(
        allow.stream().map(Cidr::parse).toList(),
        deny.stream().map(Cidr::parse).toList(),
        allowPorts.stream().map(PortRange::parse).toList(),
        denyPorts.stream().map(PortRange::parse).toList());
  }

  /** A policy with the entries of both lists of this policy and of {@code other}. */
  public EgressPolicy plus(EgressPolicy other) {
    return new EgressPolicy(
        concat(allow, other.allow),
        concat(deny, other.deny),
        concat(allowPorts, other.allowPorts),
        concat(denyPorts, other.denyPorts));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Whether {@code address:port} may be reached. */
  public Verdict check(InetAddress address, int port) {
    String where = Addresses.text(Addresses.canonical(address));
    Verdict byAddress = byAddress(address, where);
    if (!byAddress.allowed()) {
      return byAddress;
    }
    if (!allowPorts.isEmpty() && allowPorts.stream().noneMatch(r -> r.contains(port))) {
      return Verdict.refused("port " + port + " is not in allow_ports " + allowPorts);
    }
    for (PortRange r : denyPorts) {
      if (r.contains(port)) {
        return Verdict.refused("port " + port + " is in deny_ports (" + r + ")");
      }
    }
    return Verdict.ALLOWED;
  }

  private Verdict byAddress(InetAddress address, String where) {
    String metadata = NonGlobal.metadata(Addresses.canonical(address));
    for (Cidr c : allow) {
      if (c.contains(address) && (metadata == null || c.single())) {
        return Verdict.ALLOWED;
      }
    }
    for (Cidr c : deny) {
      if (c.contains(address)) {
        return Verdict.refused(where + " is in deny_cidrs (" + c + ")");
      }
    }
    String why = NonGlobal.why(address);
    if (why != null) {
      return Verdict.refused(where + " is " + why + " and not in allow_cidrs");
    }
    return Verdict.ALLOWED;
  }
}
