package dev.tlstunnel.config;

import java.util.List;

/**
 * Where forwarded connections may go, as written in the configuration: CIDR ranges or single
 * addresses, and ports or ranges such as {@code 8000-8100}. An address in {@code allowCidrs} is
 * reachable even when it is not global (a cloud metadata address only when listed as a single
 * address); {@code denyCidrs} adds refused ranges; non-empty {@code allowPorts} limits the ports.
 *
 * @param allowCidrs {@code allow_cidrs}
 * @param denyCidrs {@code deny_cidrs}
 * @param allowPorts {@code allow_ports}
 * @param denyPorts {@code deny_ports}
 */
public record EgressRules(
    List<String> allowCidrs,
    List<String> denyCidrs,
    List<String> allowPorts,
    List<String> denyPorts) {

  /** No lists: global addresses only, any port. */
  public static final EgressRules DEFAULT =
      new EgressRules(List.of(), List.of(), List.of(), List.of());

  public EgressRules {
    allowCidrs = allowCidrs == null ? List.of() : List.copyOf(allowCidrs);
    denyCidrs = denyCidrs == null ? List.of() : List.copyOf(denyCidrs);
    allowPorts = allowPorts == null ? List.of() : List.copyOf(allowPorts);
    denyPorts = denyPorts == null ? List.of() : List.copyOf(denyPorts);
  }

  /** Only allowed ranges (tests and embedding code). */
  public static EgressRules allowing(String... cidrs) {
    return new EgressRules(List.of(cidrs), List.of(), List.of(), List.of());
  }
}
