package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ProxySpec;
import java.util.Optional;

/**
 * Claims a proxy's name and port on this server in one step: checks {@code allow_ports} and {@code
 * max_ports}, gives a proxy that asked for port 0 its port ({@link PortAllocator}) and claims both
 * in the {@link ProxyRegistry}, under the allocator's monitor so that two sessions never get one
 * port. In a cluster the claim in etcd follows ({@link ClusterNode#claim}); refused there, the
 * local claim is {@linkplain #undo undone}.
 */
final class PortClaim {
  /**
   * The proxy as claimed (with its assigned port), or why it was refused.
   *
   * @param picked whether the allocator picked the port (the proxy asked for 0)
   */
  record Claimed(ProxySpec spec, String refusal, boolean picked) {}

  private PortClaim() {}

  static Claimed claim(ServerContext context, ServerSession session, ProxySpec asked) {
    ProxySpec spec = ClusterNode.publishedHere(context, asked);
    String group = spec.group() == null ? null : spec.group().name();
    if (spec.privateAccess() != null) {
      return of(
          spec,
          context.registry.claim(
              session, spec.name(), spec.publishAddr(), spec.publishPort(), group),
          false);
    }
    PortAllocator ports = context.ports;
    synchronized (ports) {
      Optional<String> problem = ports.check(spec.publishPort(), context.registry.portsOf(session));
      if (problem.isPresent()) {
        return of(spec, problem, false);
      }
      ProxySpec claimed = spec;
      String leaseHolder = leaseHolder(session);
      if (spec.publishPort() == 0 && group == null) {
        PortAllocator.Assigned a =
            ports.assign(leaseHolder, spec.name(), spec.publishAddr(), context.registry::portTaken);
        if (a.refusal() != null) {
          return new Claimed(spec, a.refusal(), false);
        }
        claimed = spec.withPublishPort(a.port());
      }
      problem =
          context.registry.claim(
              session, claimed.name(), claimed.publishAddr(), claimed.publishPort(), group);
      if (problem.isPresent() && spec.publishPort() == 0) {
        ports.released(leaseHolder, spec.name());
      }
      return of(claimed, problem, spec.publishPort() == 0);
    }
  }

  /** Releases what {@link #claim} took for {@code claimed} (the cluster refused the proxy). */
  static void undo(ServerContext context, ServerSession session, Claimed claimed) {
    context.registry.release(session, claimed.spec().name());
    if (claimed.picked()) {
      context.ports.released(leaseHolder(session), claimed.spec().name());
    }
  }

  /** Whose leases a session's proxies get: its client id, none for an anonymous client. */
  static String leaseHolder(ServerSession session) {
    return ServerSession.ANONYMOUS.equals(session.clientId()) ? null : session.clientId();
  }

  private static Claimed of(ProxySpec spec, Optional<String> problem, boolean picked) {
    return new Claimed(spec, problem.orElse(null), picked);
  }
}
