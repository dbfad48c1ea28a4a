package dev.tlstunnel.client;

import dev.tlstunnel.GroupMember;
import dev.tlstunnel.GroupState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.GroupStatus;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link ProxyState} of every configured proxy, fed by the server's registration results
 * and {@code proxy_status_update} messages. Each change is logged once ({@link ProxyChangeLog}),
 * reported as events, passed to the proxy's {@link ProxyHandle} and to the change hook.
 *
 * <p>Writers (the tunnel's event loop) are serialized by this object's monitor; readers (the admin
 * API, handles) see an immutable map published through a volatile field, so a snapshot is always
 * consistent. A reload changes the set of proxies ({@link #reconfigure}).
 */
final class ProxyStateTracker {
  private static final Logger log = LoggerFactory.getLogger(ProxyStateTracker.class);

  private Map<String, ProxyConfig> configs;
  private volatile Map<String, ProxyHandle> handles;
  private final Clock clock;
  private final ClientEvents events;
  private final Consumer<ProxyState> hook;
  private volatile Map<String, ProxyState> states;
  private final Map<String, String> localFailures = new LinkedHashMap<>();

  /**
   * Tracks {@code proxies}, all {@code PENDING}, in configuration order.
   *
   * @param hook hears every change after the listeners, on the writer's thread
   */
  ProxyStateTracker(List<ProxyConfig> proxies, ClientEvents events, Consumer<ProxyState> hook) {
    this.clock = events.clock();
    this.events = events;
    this.hook = hook;
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    Map<String, ProxyState> initial = new LinkedHashMap<>();
    Map<String, ProxyHandle> handleMap = new LinkedHashMap<>();
    Instant now = clock.instant();
    for (ProxyConfig proxy : proxies) {
      byName.put(proxy.name(), proxy);
      initial.put(proxy.name(), pending(proxy, now));
      handleMap.put(proxy.name(), newHandle(proxy.name()));
    }
    this.configs = byName;
    this.handles = Map.copyOf(handleMap);
    this.states = initial;
  }

  private ProxyHandle newHandle(String name) {
    return new ProxyHandle(name, () -> states.get(name));
  }

  /** The proxies tracked now, in configuration order: what a new session registers. */
  synchronized List<ProxyConfig> configs() {
    return List.copyOf(configs.values());
  }

  /**
   * Tracks {@code proxies} from now on (a reload): new ones start {@code PENDING}, removed ones are
   * dropped (a wait on their handle fails), the {@code restarted} ones are {@code PENDING} again
   * until the server reports them; the others keep their state.
   */
  synchronized void reconfigure(List<ProxyConfig> proxies, Set<String> restarted) {
    Instant now = clock.instant();
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    Map<String, ProxyState> next = new LinkedHashMap<>();
    Map<String, ProxyHandle> handleMap = new LinkedHashMap<>();
    for (ProxyConfig proxy : proxies) {
      byName.put(proxy.name(), proxy);
      ProxyState was = states.get(proxy.name());
      next.put(proxy.name(), was == null ? pending(proxy, now) : withLocal(was, proxy));
      ProxyHandle handle = handles.get(proxy.name());
      handleMap.put(proxy.name(), handle != null ? handle : newHandle(proxy.name()));
    }
    Map<String, ProxyHandle> dropped = new LinkedHashMap<>(handles);
    dropped.keySet().removeAll(byName.keySet());
    configs = byName;
    states = next;
    handles = Map.copyOf(handleMap);
    dropped.values().forEach(ProxyHandle::removed);
    for (String name : restarted) {
      ProxyState current = next.get(name);
      if (current != null && current.status() != ProxyStatus.PENDING) {
        apply(current, pending(byName.get(name), now));
      }
    }
  }

  /** Every proxy's state by name, to {@link #restore} after a reload that failed. */
  synchronized Map<String, ProxyState> states() {
    return new LinkedHashMap<>(states);
  }

  /**
   * Goes back to {@code proxies} and their states before a reload; those in {@code rebinding} are
   * {@code PENDING} (the server binds them again).
   */
  synchronized void restore(
      List<ProxyConfig> proxies, Map<String, ProxyState> before, Set<String> rebinding) {
    reconfigure(proxies, Set.of());
    Instant now = clock.instant();
    for (ProxyConfig proxy : proxies) {
      ProxyState was = before.get(proxy.name());
      ProxyState target =
          was == null || rebinding.contains(proxy.name()) ? pending(proxy, now) : was;
      ProxyState current = states.get(proxy.name());
      if (!current.equals(target)) {
        apply(current, target);
      }
    }
  }

  /** {@code state} showing {@code proxy}'s local service (a reload may have moved it). */
  private static ProxyState withLocal(ProxyState state, ProxyConfig proxy) {
    String local = Addresses.hostPort(proxy.localAddr(), proxy.localPort());
    if (local.equals(state.local())) {
      return state;
    }
    return new ProxyState(
        state.name(),
        state.status(),
        state.publishAddr(),
        state.publishPort(),
        local,
        state.error(),
        state.retryAfter(),
        state.nextRetryAt(),
        state.attempt(),
        state.maxRetries(),
        state.updatedAt());
  }

  /** The handle of the proxy named {@code name}, or null. */
  ProxyHandle handle(String name) {
    return handles.get(name);
  }

  /** Applies the server's answer to a proxy registration. */
  synchronized void onRegistrationResult(ProxyRegistrationResult result) {
    ProxyState current = states.get(result.proxyName());
    if (current == null) {
      log.debug("Ignoring registration result for unknown proxy '{}'", result.proxyName());
      return;
    }
    Instant now = clock.instant();
    if (!result.accepted()) {
      log.warn("Proxy '{}' rejected by server: {}", result.proxyName(), result.reason());
      events.proxyRejected(result.proxyName(), result.reason());
      ProxyConfig config = configs.get(result.proxyName());
      apply(
          current,
          new ProxyState(
              config.name(),
              ProxyStatus.REJECTED,
              config.publishAddr(),
              config.publishPort(),
              current.local(),
              result.reason(),
              null,
              null,
              null,
              null,
              now));
      return;
    }
    ProxyConfig config = configs.get(result.proxyName());
    boolean assigned =
        result.publishPort() != null && config.publishPort() == 0 && result.publishPort() != 0;
    String note = result.note() == null || result.note().isBlank() ? null : result.note();
    if (assigned) {
      String port = "port " + result.publishPort() + " assigned";
      note = note == null ? port : port + "; " + note;
    }
    if (note == null) {
      log.info("Proxy '{}' accepted by server", result.proxyName());
    } else {
      log.info("Proxy '{}' accepted by server ({})", result.proxyName(), note);
    }
    events.proxyRegistered(result.proxyName(), result.note());
    ProxyState next = pending(config, now);
    if (assigned) {
      next = withPort(next, result.publishPort());
    }
    if (current.status() == ProxyStatus.REJECTED || current.publishPort() != next.publishPort()) {
      apply(current, next.withGroup(current.group()));
    }
  }

  /** Applies a {@code proxy_status_update}; unknown proxies and unknown statuses are ignored. */
  synchronized void onStatusUpdate(ProxyStatusUpdate update) {
    ProxyState current = states.get(update.proxyName());
    if (current == null) {
      log.debug("Ignoring status update for unknown proxy '{}'", update.proxyName());
      return;
    }
    if (update.status() == null) {
      log.debug("Ignoring status update with unknown status for proxy '{}'", update.proxyName());
      return;
    }
    Instant now = clock.instant();
    ProxyStatus status = update.status().toApi();
    Duration retryAfter =
        status == ProxyStatus.UNHEALTHY && update.retryAfterSeconds() != null
            ? Duration.ofNanos(Math.round(update.retryAfterSeconds() * 1e9))
            : null;
    ProxyState next =
        new ProxyState(
            current.name(),
            status,
            update.publishAddr() != null ? update.publishAddr() : current.publishAddr(),
            update.publishPort() != null ? update.publishPort() : current.publishPort(),
            current.local(),
            status == ProxyStatus.HEALTHY ? null : update.errorMessage(),
            retryAfter,
            retryAfter == null ? null : now.plus(retryAfter),
            update.attempt(),
            update.maxRetries(),
            now);
    next = withLocalHealth(next.withGroup(current.group()));
    if (sameApartFromTime(current, next)) {
      return;
    }
    ProxyChangeLog.log(next);
    apply(current, next);
  }

  /**
   * The proxy's health check changed its verdict: a proxy the server reports {@code HEALTHY} is
   * {@code LOCAL_UNHEALTHY} while its local service fails, and {@code HEALTHY} again once it
   * passes.
   */
  synchronized void onLocalHealth(String name, boolean healthy, String reason) {
    ProxyState current = states.get(name);
    if (current == null) {
      return;
    }
    if (healthy) {
      localFailures.remove(name);
    } else {
      localFailures.put(name, reason);
    }
    ProxyStatus was = current.status();
    if (was != ProxyStatus.HEALTHY && was != ProxyStatus.LOCAL_UNHEALTHY) {
      return;
    }
    ProxyState next =
        withStatus(
            current,
            healthy ? ProxyStatus.HEALTHY : ProxyStatus.LOCAL_UNHEALTHY,
            healthy ? null : reason,
            clock.instant());
    if (next.status() != was) {
      ProxyChangeLog.log(next);
      apply(current, next);
    }
  }

  private ProxyState withLocalHealth(ProxyState s) {
    String failure = localFailures.get(s.name());
    return failure != null && s.status() == ProxyStatus.HEALTHY
        ? withStatus(s, ProxyStatus.LOCAL_UNHEALTHY, failure, s.updatedAt())
        : s;
  }

  private static ProxyState withPort(ProxyState s, int port) {
    return new ProxyState(
            s.name(),
            s.status(),
            s.publishAddr(),
            port,
            s.local(),
            s.error(),
            s.retryAfter(),
            s.nextRetryAt(),
            s.attempt(),
            s.maxRetries(),
            s.updatedAt())
        .withVisitors(s.visibility(), s.connectedVisitors());
  }

  private static ProxyState withStatus(ProxyState s, ProxyStatus status, String error, Instant at) {
    return new ProxyState(
            s.name(),
            status,
            s.publishAddr(),
            s.publishPort(),
            s.local(),
            error,
            null,
            null,
            s.attempt(),
            s.maxRetries(),
            at)
        .withVisitors(s.visibility(), s.connectedVisitors())
        .withGroup(s.group());
  }

  /**
   * The server's report on the load-balancing group of a proxy: kept in the proxy's state (for
   * status), without an event or a log line (connection counts change all the time).
   */
  synchronized void onGroupStatus(GroupStatus group) {
    ProxyState current = states.get(group.proxyName());
    if (current == null || group.group() == null) {
      return;
    }
    List<GroupMember> members =
        group.members().stream()
            .map(
                m ->
                    new GroupMember(
                        m.clientId(),
                        m.proxyName(),
                        m.serving(),
                        m.activeConnections(),
                        m.priority()))
            .toList();
    Map<String, ProxyState> copy = new LinkedHashMap<>(states);
    copy.put(
        current.name(),
        current.withGroup(new GroupState(group.group(), group.strategy(), members)));
    states = copy;
  }

  /** The session ended: every proxy is {@code PENDING} again until the next session reports. */
  synchronized void onSessionLost() {
    Map<String, ProxyConfig> configs = this.configs;
    Instant now = clock.instant();
    for (ProxyConfig config : configs.values()) {
      ProxyState current = states.get(config.name());
      if (current.status() != ProxyStatus.PENDING) {
        apply(current, pending(config, now));
      }
    }
  }

  /** The client ended: every handle's pending wait ends with it. */
  void onClientEnded(ClientExit exit) {
    handles.values().forEach(h -> h.clientEnded(exit));
  }

  /** Every proxy's latest state, in configuration order. */
  List<ProxyState> snapshot() {
    return List.copyOf(states.values());
  }

  private void apply(ProxyState previous, ProxyState next) {
    Map<String, ProxyState> copy = new LinkedHashMap<>(states);
    copy.put(next.name(), next);
    states = copy;
    events.proxyStatusChanged(previous, next);
    handles.get(next.name()).changed(next);
    hook.accept(next);
  }

  private static boolean sameApartFromTime(ProxyState a, ProxyState b) {
    return a.status() == b.status()
        && Objects.equals(a.publishAddr(), b.publishAddr())
        && a.publishPort() == b.publishPort()
        && Objects.equals(a.error(), b.error())
        && Objects.equals(a.retryAfter(), b.retryAfter())
        && Objects.equals(a.attempt(), b.attempt())
        && Objects.equals(a.maxRetries(), b.maxRetries());
  }

  private static ProxyState pending(ProxyConfig config, Instant now) {
    return new ProxyState(
        config.name(),
        ProxyStatus.PENDING,
        config.publishAddr(),
        config.publishPort(),
        Addresses.hostPort(config.localAddr(), config.localPort()),
        null,
        null,
        null,
        null,
        null,
        now);
  }
}
