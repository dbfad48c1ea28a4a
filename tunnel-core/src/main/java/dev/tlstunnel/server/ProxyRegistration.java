package dev.tlstunnel.server;

import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxies of one session: each registration is accepted or rejected on its own, and each
 * accepted proxy gets its {@link ProxyListener}, which binds on the session's event loop. Confined
 * to that loop (the map is concurrent only for snapshots from other threads).
 */
final class ProxyRegistration {
  private static final Logger log = LoggerFactory.getLogger(ProxyRegistration.class);

  private final ServerSession session;
  private final ServerContext context;
  private final BindReports reports;
  private final Map<String, ProxyListener> listeners = new ConcurrentHashMap<>();

  ProxyRegistration(ServerSession session, ServerContext context) {
    this.session = session;
    this.context = context;
    this.reports = new BindReports(session.clientId(), session::send, context.events);
  }

  /** Registers every proxy of a {@code register_proxies} message, each on its own. */
  void registerAll(List<ProxySpec> specs) {
    int max = context.limits.maxProxiesPerClient();
    for (int i = 0; i < specs.size(); i++) {
      if (i < max) {
        registerOne(specs.get(i));
      } else {
        reject(specs.get(i).name(), "limit max_proxies_per_client=" + max + " reached");
      }
    }
  }

  private void registerOne(ProxySpec spec) {
    Optional<String> problem = ProxySpecCheck.problem(spec);
    if (problem.isEmpty()) {
      problem =
          context.registry.claim(session, spec.name(), spec.publishAddr(), spec.publishPort());
    }
    if (problem.isPresent()) {
      reject(spec.name(), problem.get());
      return;
    }
    if (spec.privateAccess() != null) {
      context.visits.privateProxies().register(session, spec);
      return;
    }
    RetryPolicyClamp.Result policy =
        RetryPolicyClamp.clamp(context.config.bindRetry(), spec.bindRetry());
    session.send(
        new ProxyRegistrationResult(
            spec.name(), true, null, policy.note(), RetryPolicyClamp.toSpec(policy.policy())));
    start(spec, policy.policy());
  }

  private void reject(String proxy, String reason) {
    log.warn("[client={}] Proxy '{}' rejected: {}", session.clientId(), proxy, reason);
    session.send(new ProxyRegistrationResult(proxy, false, reason, null, null));
    context.events.proxyRejected(session.clientId(), proxy, reason);
  }

  private void start(ProxySpec spec, BindRetryPolicy policy) {
    EventLoop loop = session.eventLoop();
    PublicPortInitializer accepted =
        new PublicPortInitializer(session, spec.name(), context.proxyProtocol);
    ProxyListener listener =
        new ProxyListener(
            spec.name(),
            spec.publishAddr(),
            spec.publishPort(),
            policy,
            loop,
            address -> bootstrap(loop, accepted).bind(address),
            reports);
    listeners.put(spec.name(), listener);
    listener.start();
  }

  private ServerBootstrap bootstrap(EventLoop loop, PublicPortInitializer accepted) {
    return Listeners.forRelay(loop, context.transport.serverChannelClass(), accepted);
  }

  /** Cancels every retry and closes every listener (new public connections are refused). */
  void closeListeners() {
    listeners.values().forEach(ProxyListener::close);
  }

  /** The listener of the proxy named {@code name}, or null. */
  ProxyListener listener(String name) {
    return listeners.get(name);
  }

  /** How many proxies were accepted. */
  int count() {
    return listeners.size();
  }

  /** A snapshot of the proxies, for {@link ServerSnapshot}. */
  List<ServerSnapshot.ProxyInfo> infos() {
    return listeners.values().stream().map(this::info).toList();
  }

  private ServerSnapshot.ProxyInfo info(ProxyListener l) {
    var bound = l.boundAddress();
    return new ServerSnapshot.ProxyInfo(
        l.name(),
        session.clientId(),
        l.publishAddr(),
        l.publishPort(),
        l.status(),
        bound != null ? bound.getPort() : 0,
        l.retryPending(),
        false);
  }
}
