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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  private final Map<String, ProxyGroup> memberships = new ConcurrentHashMap<>();
  private final Set<String> dynamic = ConcurrentHashMap.newKeySet();

  /**
   * The proxies claimed here whose claim in the cluster waits for etcd's answer: by name, the
   * ticket of that claim (a proxy unregistered and registered again meanwhile has a new one).
   */
  private final Map<String, Object> claiming = new ConcurrentHashMap<>();

  ProxyRegistration(ServerSession session, ServerContext context) {
    this.session = session;
    this.context = context;
    this.reports =
        new BindReports(
            session.clientId(),
            session::send,
            context.events,
            context.cluster == null ? null : context.cluster.listenerReports());
  }

  /**
   * Registers every proxy of a {@code register_proxies} message, each on its own; a spec that
   * {@linkplain ProxySpec#replaces() replaces} a proxy of this session changes that one instead.
   */
  void registerAll(List<ProxySpec> specs) {
    int max = context.limits.maxProxiesPerClient();
    int slots = max - listeners.size() - claiming.size();
    int added = 0;
    for (ProxySpec spec : specs) {
      ProxyListener held = spec.replaces() ? listeners.get(spec.name()) : null;
      if (spec.replaces() && claiming.containsKey(spec.name())) {
        reject(
            spec.name(),
            "its registration still waits for the cluster's answer; the proxy stays as it was");
      } else if (held != null) {
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
    start(spec, policy.policy(), false);
  }

  /**
   * Removes proxies of this session ({@code unregister_proxies}): listeners closed, names and
   * bindings released; their open connections go on.
   */
  void unregister(List<String> names) {
    for (String name : names) {
      ProxyGroup group = name == null ? null : memberships.remove(name);
      if (group != null) {
        context.groups.leave(session, group, name);
        context.registry.release(session, name);
        log.info("[client={}] Proxy '{}' left group '{}'", session.clientId(), name, group.name);
        continue;
      }
      boolean waiting = name != null && claiming.remove(name) != null;
      ProxyListener listener = name == null ? null : listeners.remove(name);
      if (listener == null && !waiting) {
        continue;
      }
      if (listener != null) {
        listener.close();
      }
      if (waiting && dynamic.remove(name)) {
        context.ports.released(PortClaim.leaseHolder(session), name);
      }
      context.registry.release(session, name);
      if (context.cluster != null) {
        context.cluster.release(session, name); // after its claim, if that still waits
      }
      log.info(
          "[client={}] Proxy '{}' removed; {} open connections may finish",
          session.clientId(),
          name,
          session.gate().open(name));
    }
  }

  private void registerOne(ProxySpec asked) {
    Optional<String> problem = ProxySpecCheck.problem(asked);
    if (problem.isPresent()) {
      reject(asked.name(), problem.get());
      return;
    }
    PortClaim.Claimed claimed = PortClaim.claim(context, session, asked);
    if (claimed.refusal() != null) {
      reject(asked.name(), claimed.refusal());
      return;
    }
    ProxySpec spec = claimed.spec();
    boolean dynamicPort =
        asked.publishPort() == 0 && spec.privateAccess() == null && spec.group() == null;
    if (dynamicPort) {
      dynamic.add(spec.name()); // its lease starts running out if the session ends meanwhile
    }
    ClusterNode cluster = context.cluster;
    if (cluster == null) {
      registered(spec, dynamicPort);
      return;
    }
    Object ticket = new Object();
    claiming.put(spec.name(), ticket);
    cluster
        .claim(session, spec)
        .thenAccept(
            refusal ->
                session.eventLoop().execute(() -> answered(ticket, claimed, dynamicPort, refusal)));
  }

  /**
   * The cluster answered the claim of a proxy claimed here: refused, it is released here again;
   * granted, it goes on as any other.
   */
  private void answered(
      Object ticket, PortClaim.Claimed claimed, boolean dynamicPort, String refusal) {
    String name = claimed.spec().name();
    if (!claiming.remove(name, ticket)) {
      return; // unregistered or ended meanwhile, which released it here and in the cluster
    }
    if (!session.acceptsProxies()) {
      // handed over or draining: no new listener; what it holds goes with the session
      context.registry.release(session, name);
      if (refusal == null) {
        context.cluster.release(session, name);
      }
      return;
    }
    if (refusal != null) {
      dynamic.remove(name);
      PortClaim.undo(context, session, claimed);
      reject(name, refusal);
      return;
    }
    registered(claimed.spec(), dynamicPort);
  }

  /** A proxy claimed here (and in the cluster): its listener starts, or it joins its group. */
  private void registered(ProxySpec spec, boolean dynamicPort) {
    if (spec.privateAccess() != null) {
      context.visits.privateProxies().register(session, spec);
      return;
    }
    RetryPolicyClamp.Result policy =
        RetryPolicyClamp.clamp(context.config.bindRetry(), spec.bindRetry());
    if (spec.group() != null) {
      join(spec, policy);
      return;
    }
    session.send(
        new ProxyRegistrationResult(
            spec.name(),
            true,
            null,
            policy.note(),
            RetryPolicyClamp.toSpec(policy.policy()),
            spec.publishPort() == 0 ? null : spec.publishPort()));
    start(spec, policy.policy(), dynamicPort);
  }

  /** Joins the proxy's load-balancing group, whose one listener the first member started. */
  private void join(ProxySpec spec, RetryPolicyClamp.Result policy) {
    ProxyGroups.Joined joined = context.groups.join(session, spec, policy.policy());
    if (joined.refusal() != null) {
      context.registry.release(session, spec.name());
      reject(spec.name(), joined.refusal());
      return;
    }
    log.info(
        "[client={}] Proxy '{}' joined group '{}' ({}, {} members)",
        session.clientId(),
        spec.name(),
        joined.group().name,
        joined.group().strategy.configName(),
        joined.group().members().size());
    memberships.put(spec.name(), joined.group());
    // the result first: the group's bind state follows it (replayed to a late member)
    session.send(
        new ProxyRegistrationResult(
            spec.name(), true, null, policy.note(), RetryPolicyClamp.toSpec(policy.policy())));
    joined.group().reports.replayTo(joined.member());
    joined.group().publishIfChanged();
  }

  /** The group {@code proxy} is a member of, or null. */
  ProxyGroup groupOf(String proxy) {
    return memberships.get(proxy);
  }

  private void reject(String proxy, String reason) {
    log.warn("[client={}] Proxy '{}' rejected: {}", session.clientId(), proxy, reason);
    session.send(new ProxyRegistrationResult(proxy, false, reason, null, null));
    context.events.proxyRejected(session.clientId(), proxy, reason);
  }

  private void start(ProxySpec spec, BindRetryPolicy policy, boolean dynamicPort) {
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
            dynamicPort && spec.publishPort() == 0
                ? reports.leasingOnBind(
                    port -> context.ports.bound(PortClaim.leaseHolder(session), spec.name(), port))
                : reports);
    listeners.put(spec.name(), listener);
    listener.start();
  }

  private ServerBootstrap bootstrap(EventLoop loop, PublicPortInitializer accepted) {
    return Listeners.forRelay(loop, context.transport.serverChannelClass(), accepted);
  }

  /**
   * Cancels every retry, closes every listener (new public connections are refused) and leaves
   * every group (whose last member closes its listener).
   */
  void closeListeners() {
    listeners.values().forEach(ProxyListener::close);
    dynamic.forEach(name -> context.ports.released(PortClaim.leaseHolder(session), name));
    memberships.forEach((name, group) -> context.groups.leave(session, group, name));
  }

  /** The listener of the proxy named {@code name} (its group's, for a member), or null. */
  ProxyListener listener(String name) {
    ProxyListener own = listeners.get(name);
    if (own != null) {
      return own;
    }
    ProxyGroup group = memberships.get(name);
    return group == null ? null : group.listener();
  }

  /** How many proxies were accepted. */
  int count() {
    return listeners.size() + memberships.size();
  }

  /** A snapshot of the proxies, for {@link ServerSnapshot}. */
  List<ServerSnapshot.ProxyInfo> infos() {
    List<ServerSnapshot.ProxyInfo> infos = new ArrayList<>();
    listeners.forEach((name, l) -> infos.add(info(name, l, null)));
    memberships.forEach((name, g) -> infos.add(info(name, g.listener(), g.name)));
    return infos;
  }

  private ServerSnapshot.ProxyInfo info(String name, ProxyListener l, String group) {
    var bound = l.boundAddress();
    ProxyStatus status = l.status();
    if (status == ProxyStatus.HEALTHY && !session.health().serving(name)) {
      status = ProxyStatus.LOCAL_UNHEALTHY;
    }
    return new ServerSnapshot.ProxyInfo(
        name,
        session.clientId(),
        l.publishAddr(),
        l.publishPort(),
        status,
        bound != null ? bound.getPort() : 0,
        l.retryPending(),
        false,
        group);
  }
}
