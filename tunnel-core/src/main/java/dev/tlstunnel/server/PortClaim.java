package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ProxySpec;
import java.util.Optional;

/**
 * Claims a proxy's name and port in one step: checks {@code allow_ports} and {@code max_ports},
 * gives a proxy that asked for port 0 its port ({@link PortAllocator}) and claims both in the
 * {@link ProxyRegistry}, under the allocator's monitor so that two sessions never get one port.
 */
final class PortClaim {
  /** The proxy as claimed (with its assigned port), or why it was refused. */
  record Claimed(ProxySpec spec, String refusal) {}

  private PortClaim() {}

  static Claimed claim(ServerContext context, ServerSession session, ProxySpec spec) {
    String group = spec.group() == null ? null : spec.group().name();
    if (spec.privateAccess() != null) {
      return of(
          spec,
          context.registry.claim(
              session, spec.name(), spec.publishAddr(), spec.publishPort(), group));
    }
    PortAllocator ports = context.ports;
    synchronized (ports) {
      Optional<String> problem = ports.check(spec.publishPort(), context.registry.portsOf(session));
      if (problem.isPresent()) {
        return of(spec, problem);
      }
      ProxySpec claimed = spec;
      String leaseHolder = leaseHolder(session);
      if (spec.publishPort() == 0 && group == null) {
        PortAllocator.Assigned a =
            ports.assign(leaseHolder, spec.name(), spec.publishAddr(), context.registry::portTaken);
        if (a.refusal() != null) {
          return new Claimed(spec, a.refusal());
        }
        claimed = spec.withPublishPort(a.port());
      }
      problem =
          context.registry.claim(
              session, claimed.name(), claimed.publishAddr(), claimed.publishPort(), group);
      if (problem.isPresent() && spec.publishPort() == 0) {
        ports.released(leaseHolder, spec.name());
      }
      return of(claimed, problem);
    }
  }

  /** Whose leases a session's proxies get: its client id, none for an anonymous client. */
  static String leaseHolder(ServerSession session) {
    return ServerSession.ANONYMOUS.equals(session.clientId()) ? null : session.clientId();
  }

  private static Claimed of(ProxySpec spec, Optional<String> problem) {
    return new Claimed(spec, problem.orElse(null));
  }
}
