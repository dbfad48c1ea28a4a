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

  static Claimed claim(ServerContext context, ServerSession session, ProxySpec asked) {
    ProxySpec spec = ClusterNode.publishedHere(context, asked);
    String group = spec.group() == null ? null : spec.group().name();
    if (spec.privateAccess() != null) {
      return inCluster(
          context,
          session,
          of(
              spec,
              context.registry.claim(
                  session, spec.name(), spec.publishAddr(), spec.publishPort(), group)),
          false);
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
      return inCluster(context, session, of(claimed, problem), spec.publishPort() == 0);
    }
  }

  /**
   * In a cluster, a proxy claimed here is claimed in the cluster's store too; refused there, it is
   * released here again.
   */
  private static Claimed inCluster(
      ServerContext context, ServerSession session, Claimed local, boolean picked) {
    ClusterNode cluster = context.cluster;
    if (cluster == null || local.refusal() != null) {
      return local;
    }
    String refusal = cluster.claim(session, local.spec());
    if (refusal == null) {
      return local;
    }
    context.registry.release(session, local.spec().name());
    if (picked) {
      context.ports.released(leaseHolder(session), local.spec().name());
    }
    return new Claimed(local.spec(), refusal);
  }

  /** Whose leases a session's proxies get: its client id, none for an anonymous client. */
  static String leaseHolder(ServerSession session) {
    return ServerSession.ANONYMOUS.equals(session.clientId()) ? null : session.clientId();
  }

  private static Claimed of(ProxySpec spec, Optional<String> problem) {
    return new Claimed(spec, problem.orElse(null));
  }
}
