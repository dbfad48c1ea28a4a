package dev.tlstunnel.server;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.Addresses;
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

  /**
   * Registers every proxy of a {@code register_proxies} message, each on its own; a spec that
   * {@linkplain ProxySpec#replaces() replaces} a proxy of this session changes that one instead.
   */
  void registerAll(List<ProxySpec> specs) {
    int max = context.limits.maxProxiesPerClient();
    int slots = max - listeners.size();
    int added = 0;
    for (ProxySpec spec : specs) {
      ProxyListener held = spec.replaces() ? listeners.get(spec.name()) : null;
      if (held != null) {
        replace(spec, held);
      } else if (added++ < slots) {
        registerOne(spec);
      } else {
        reject(spec.name(), "limit max_proxies_per_client=" + max + " reached");
      }
    }
  }

  /**
   * Changes a proxy of this session as a reload asked: a new publish binding is claimed first and
   * the old listener closed only once it is (its open connections go on); the same binding keeps a
   * listening proxy as it is and starts a waiting or failed one's bind schedule anew. Rejected, the
   * proxy stays as it was.
   */
  private void replace(ProxySpec spec, ProxyListener held) {
    boolean sameBinding =
        held.publishAddr().equals(spec.publishAddr()) && held.publishPort() == spec.publishPort();
    Optional<String> problem = ProxySpecCheck.problem(spec);
    if (problem.isEmpty() && !sameBinding) {
      problem =
          context.registry.reclaim(session, spec.name(), spec.publishAddr(), spec.publishPort());
    }
    if (problem.isPresent()) {
      reject(spec.name(), problem.get() + "; the proxy stays as it was");
      return;
    }
    RetryPolicyClamp.Result policy =
        RetryPolicyClamp.clamp(context.config.bindRetry(), spec.bindRetry());
    session.send(
        new ProxyRegistrationResult(
            spec.name(), true, null, policy.note(), RetryPolicyClamp.toSpec(policy.policy())));
    if (sameBinding && held.status() == ProxyStatus.HEALTHY) {
      log.info("[client={}] Proxy '{}' updated in place", session.clientId(), spec.name());
      return;
    }
    log.info(
        "[client={}] Proxy '{}' restarted: {} -> {}; its open connections go on",
        session.clientId(),
        spec.name(),
        Addresses.hostPort(held.publishAddr(), held.publishPort()),
        Addresses.hostPort(spec.publishAddr(), spec.publishPort()));
    held.close();
    listeners.remove(spec.name());
    start(spec, policy.policy());
  }

  /**
   * Removes proxies of this session ({@code unregister_proxies}): listeners closed, names and
   * bindings released; their open connections go on.
   */
  void unregister(List<String> names) {
    for (String name : names) {
      ProxyListener listener = name == null ? null : listeners.remove(name);
      if (listener == null) {
        continue;
      }
      listener.close();
      context.registry.release(session, name);
      log.info(
          "[client={}] Proxy '{}' removed; {} open connections may finish",
          session.clientId(),
          name,
          session.gate().open(name));
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
    PublicPortInitializer accepted = new PublicPortInitializer(session, spec.name());
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
