package dev.tlstunnel.server;

import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.egress.Dialer;
import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.egress.ResolverThreads;
import dev.tlstunnel.egress.TargetResolver;
import dev.tlstunnel.transport.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The server's egress for client forwarders: whether a client may use it, with which policy, and
 * the resolver and dialer its connections use. Built per server from the validated config; a reload
 * replaces the policies and the dialer, connections already open keep theirs.
 */
final class EgressGate implements AutoCloseable {
  /** The policies of one configuration, replaced as a whole by a reload. */
  private record Policies(
      EgressConfig config, EgressPolicy base, Map<String, EgressPolicy> perClient) {
    static Policies of(EgressConfig config) {
      EgressPolicy base = policy(config.rules());
      Map<String, EgressPolicy> perClient = new HashMap<>();
      if (config.clients() != null) {
        config.clients().forEach((id, rules) -> perClient.put(id, base.plus(policy(rules))));
      }
      return new Policies(config, base, Map.copyOf(perClient));
    }
  }

  private final Transport transport;
  private final ExecutorService resolverThreads;
  private volatile Policies policies;
  final TargetResolver resolver;
  volatile Dialer dialer;

  EgressGate(EgressConfig config, Transport transport) {
    this.transport = transport;
    this.policies = Policies.of(config);
    this.resolverThreads = ResolverThreads.create("tunnel-egress-dns", 4, 1024);
    this.resolver = new TargetResolver(resolverThreads);
    this.dialer = new Dialer(transport.socketChannelClass(), config.connectTimeout());
  }

  /** Takes a reloaded egress configuration: the next egress request is checked against it. */
  void update(EgressConfig config) {
    policies = Policies.of(config);
    dialer = new Dialer(transport.socketChannelClass(), config.connectTimeout());
  }

  private static EgressPolicy policy(EgressRules r) {
    return EgressPolicy.parse(r.allowCidrs(), r.denyCidrs(), r.allowPorts(), r.denyPorts());
  }

  /**
   * The policy for {@code clientId}'s egress connections.
   *
   * @throws EgressException ({@code not_allowed}) when egress is off or the client is not listed
   */
  EgressPolicy policyFor(String clientId) throws EgressException {
    Policies p = policies;
    EgressConfig config = p.config();
    if (!config.allowForward()) {
      throw new EgressException(
          EgressFailure.NOT_ALLOWED, "this server does not forward (server.allow_forward is off)");
    }
    if (config.clients() == null) {
      return p.base();
    }
    EgressPolicy policy = p.perClient().get(clientId);
    if (policy == null) {
      throw new EgressException(
          EgressFailure.NOT_ALLOWED,
          "client '" + clientId + "' is not in server.egress.clients of this server");
    }
    return policy;
  }

  @Override
  public void close() {
    resolverThreads.shutdownNow();
  }
}
