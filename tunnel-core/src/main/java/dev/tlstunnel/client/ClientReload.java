package dev.tlstunnel.client;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.forward.Forwarders;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.RegisterProxies;
import dev.tlstunnel.protocol.UnregisterProxies;
import dev.tlstunnel.reload.ClientPlan;
import dev.tlstunnel.reload.Plan;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A client's reload: the plan ({@link ClientPlan}), then its steps. What can fail locally (GeoIP
 * databases of forwarders, the TLS context of a reconnect) is prepared first; a failure there
 * refuses the reload. Proxy changes travel over the session that is up: new and changed proxies in
 * one {@code register_proxies} (changed ones marked {@code replace}), and once the server accepted
 * them all, the removed ones in an {@code unregister_proxies}; a rejection undoes what the server
 * accepted (added proxies unregistered, changed ones registered back as they were) and the client
 * keeps its previous configuration. Settings of the session itself (server, key, trust, transport)
 * take a new session that takes over from the old one gracefully. Reloads run one at a time.
 */
final class ClientReload {
  /** How long the server may take to answer a reload's registrations. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

  /** How long the new session of a reconnecting reload may take to come up. */
  static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** Makes the TLS context of a configuration (null: the one given to the builder stays). */
  interface TlsFactory {
    SslContext create(ClientConfig config) throws IOException;
  }

  private final ReconnectLoop loop;
  private final EventLoop eventLoop;
  private final Forwarders forwarders;
  private final TlsFactory tls;
  private final BiConsumer<ReloadResult, String> report;
  private volatile ClientConfig config;
  private CompletableFuture<ReloadResult> last = CompletableFuture.completedFuture(null);

  /**
   * @param forwarders the client's forwarders (a reload may add the first ones)
   * @param tls null when the application gave the TLS context (it is kept)
   * @param report logs a result once, as about its second argument, and tells the listeners
   */
  ClientReload(
      ClientConfig config,
      ReconnectLoop loop,
      EventLoop eventLoop,
      Forwarders forwarders,
      TlsFactory tls,
      BiConsumer<ReloadResult, String> report) {
    this.config = config;
    this.loop = loop;
    this.eventLoop = eventLoop;
    this.forwarders = forwarders;
    this.tls = tls;
    this.report = report;
  }

  /** Logs {@code result} once, as about {@code what}, and tells the listeners. */
  void report(ReloadResult result, String what) {
    report.accept(result, what);
  }

  /** The configuration in force. */
  ClientConfig config() {
    return config;
  }

  /** What {@code next} would change; nothing changes. */
  ReloadResult plan(ClientConfig next) {
    Plan plan = ClientPlan.of(config, next);
    if (!plan.refusals().isEmpty()) {
      return plan.result(Outcome.REFUSED, String.join("\n", plan.refusals()));
    }
    return plan.result(plan.isEmpty() ? Outcome.UNCHANGED : Outcome.PLANNED, plan.summary());
  }

  /**
   * Applies {@code next}, all of it or nothing, after the reloads asked for before it; the result
   * is logged as about {@code what} ({@code client.toml}).
   */
  synchronized CompletableFuture<ReloadResult> reload(ClientConfig next, String what) {
    CompletableFuture<ReloadResult> result =
        last.handle((r, t) -> null)
            .thenCompose(v -> start(next))
            .thenApply(
                r -> {
                  report.accept(r, what);
                  return r;
                });
    last = result;
    return result;
  }

  private CompletableFuture<ReloadResult> start(ClientConfig next) {
    ClientConfig current = config;
    Plan plan = ClientPlan.of(current, next);
    if (!plan.refusals().isEmpty()) {
      return done(plan.result(Outcome.REFUSED, String.join("\n", plan.refusals())));
    }
    if (plan.isEmpty()) {
      config = next;
      return done(plan.result(Outcome.UNCHANGED, "no change"));
    }
    Forwarders.Prepared prepared;
    try {
      prepared =
          forwarders.prepare(
              next.forwarders(), plan.names(Kind.FORWARDER, Action.RESTART, Action.ADD));
    } catch (IOException | RuntimeException e) {
      return done(plan.result(Outcome.REFUSED, "forwarders: " + e.getMessage()));
    }
    SslContext nextSsl = null;
    if (plan.has(Action.RECONNECT) && tls != null) {
      try {
        nextSsl = tls.create(next);
      } catch (IOException e) {
        forwarders.abort(prepared);
        return done(plan.result(Outcome.REFUSED, "client: " + e.getMessage()));
      }
    }
    Run run = new Run(current, next, plan, prepared, nextSsl);
    CompletableFuture<ReloadResult> result = new CompletableFuture<>();
    eventLoop.execute(() -> run.run(result));
    return result;
  }

  private static CompletableFuture<ReloadResult> done(ReloadResult r) {
    return CompletableFuture.completedFuture(r);
  }

  /** One reload being carried out, on the event loop. */
  private final class Run {
    private final ClientConfig current;
    private final ClientConfig next;
    private final Plan plan;
    private final Forwarders.Prepared prepared;
    private final SslContext nextSsl;
    private final ProxyStateTracker tracker = loop.tracker();
    private final List<ProxyConfig> oldProxies;
    private final Map<String, ProxyState> before;
    private final ClientContext oldContext;
    private final ClientContext nextContext;

    Run(
        ClientConfig current,
        ClientConfig next,
        Plan plan,
        Forwarders.Prepared prepared,
        SslContext nextSsl) {
      this.current = current;
      this.next = next;
      this.plan = plan;
      this.prepared = prepared;
      this.nextSsl = nextSsl;
      this.oldProxies = current.proxies();
      this.before = tracker.states();
      this.oldContext = loop.context();
      this.nextContext = oldContext.withConfig(next);
    }

    void run(CompletableFuture<ReloadResult> result) {
      tracker.reconfigure(next.proxies(), rebinding());
      if (plan.has(Action.RECONNECT)) {
        reconnect(result);
        return;
      }
      SessionAttempt session = loop.connectedSession();
      if (session == null) {
        keep(null);
        result.complete(
            ReloadOutcomes.applied(plan, "not connected: the next session registers the proxies"));
        return;
      }
      session.reconfigure(nextContext.alsoKnowing(removedConfigs()));
      Map<String, ProxySpec> specs = specs();
      RegistrationRound round =
          new RegistrationRound(specs.keySet(), eventLoop, ClientReload.ANSWER_TIMEOUT);
      loop.hook(round);
      if (!specs.isEmpty()) {
        session.send(new RegisterProxies(List.copyOf(specs.values())));
      }
      round.done().thenAccept(end -> answered(session, round, end, result));
    }

    private void answered(
        SessionAttempt session,
        RegistrationRound round,
        RegistrationRound.End end,
        CompletableFuture<ReloadResult> result) {
      loop.hook(null);
      if (end == RegistrationRound.End.SESSION_ENDED) {
        keep(null);
        result.complete(
            ReloadOutcomes.applied(plan, "the session ended: the next one registers the proxies"));
        return;
      }
      List<String> rejected = new ArrayList<>();
      for (String name : specsNames()) {
        if (!round.accepted(name)) {
          var r = round.results().get(name);
          rejected.add(
              name
                  + ": "
                  + (r == null
                      ? "the server did not answer within "
                          + ClientReload.ANSWER_TIMEOUT.toSeconds()
                          + "s"
                      : r.reason()));
        }
      }
      if (rejected.isEmpty()) {
        Set<String> removed = plan.names(Kind.PROXY, Action.REMOVE);
        if (!removed.isEmpty()) {
          session.send(new UnregisterProxies(List.copyOf(removed)));
        }
        round.results().values().forEach(tracker::onRegistrationResult);
        keep(session);
        result.complete(ReloadOutcomes.applied(plan, plan.summary()));
        return;
      }
      undo(session, round);
      result.complete(ReloadOutcomes.rolledBack(plan, round, specsNames(), rejected));
    }

    private void reconnect(CompletableFuture<ReloadResult> result) {
      SslContext ssl = nextSsl != null ? nextSsl : loop.ssl();
      loop.switchTo(
              new SessionAttempt.Setup(nextContext, ssl, current.clientId()),
              ClientReload.RECONNECT_TIMEOUT)
          .thenAccept(
              failure ->
                  eventLoop.execute(
                      () -> {
                        if (failure == null) {
                          keep(null);
                          result.complete(ReloadOutcomes.applied(plan, plan.summary()));
                        } else {
                          tracker.restore(oldProxies, before, Set.of());
                          forwarders.abort(prepared);
                          if (nextSsl != null) {
                            ReferenceCountUtil.release(nextSsl);
                          }
                          result.complete(ReloadOutcomes.reconnectFailed(plan, failure));
                        }
                      }));
    }

    /** Keeps the new configuration: the loop, the forwarders and the retry requests take it. */
    private void keep(SessionAttempt session) {
      if (!plan.has(Action.RECONNECT)) {
        loop.adopt(nextContext, loop.ssl());
      }
      if (session != null) {
        Set<String> gone = new LinkedHashSet<>(plan.names(Kind.PROXY, Action.REMOVE));
        gone.addAll(plan.names(Kind.PROXY, Action.RESTART));
        session.reconfigure(nextContext.alsoKnowing(removedConfigs()));
        session.closeStreamsOf(gone, next.shutdownGrace());
      }
      forwarders.commit(prepared, next.shutdownGrace());
      nextContext
          .retries()
          .proxies(next.proxies().stream().map(ProxyConfig::name).collect(toSet()));
      config = next;
    }

    /** Undoes what the server accepted; the client's proxies are the old ones again. */
    private void undo(SessionAttempt session, RegistrationRound round) {
      List<String> added = new ArrayList<>();
      List<ProxySpec> back = new ArrayList<>();
      Map<String, ProxyConfig> old = byName(oldProxies);
      for (String name : specsNames()) {
        if (!round.accepted(name)) {
          continue;
        }
        if (old.containsKey(name)) {
          back.add(ClientControlHandler.spec(old.get(name), current.clientId(), true));
        } else {
          added.add(name);
        }
      }
      if (!added.isEmpty()) {
        session.send(new UnregisterProxies(added));
      }
      if (!back.isEmpty()) {
        session.send(new RegisterProxies(back));
      }
      Set<String> rebinding = new LinkedHashSet<>();
      back.forEach(s -> rebinding.add(s.name()));
      rebinding.retainAll(rebinding());
      session.reconfigure(oldContext);
      tracker.restore(oldProxies, before, rebinding);
      forwarders.abort(prepared);
    }

    /** New proxies (plain) and changed ones (marked replace), in the new file's order. */
    private Map<String, ProxySpec> specs() {
      Map<String, ProxySpec> specs = new LinkedHashMap<>();
      Set<String> added = plan.names(Kind.PROXY, Action.ADD);
      Set<String> changed = plan.names(Kind.PROXY, Action.UPDATE, Action.RESTART);
      for (ProxyConfig p : next.proxies()) {
        if (added.contains(p.name())) {
          specs.put(p.name(), ClientControlHandler.spec(p, next.clientId(), false));
        } else if (changed.contains(p.name())) {
          specs.put(p.name(), ClientControlHandler.spec(p, next.clientId(), true));
        }
      }
      return specs;
    }

    private Set<String> specsNames() {
      return specs().keySet();
    }

    /** Restarted proxies whose publish address changes: the server binds them again. */
    private Set<String> rebinding() {
      Map<String, ProxyConfig> old = byName(oldProxies);
      Set<String> names = new LinkedHashSet<>();
      for (ProxyConfig p : next.proxies()) {
        ProxyConfig was = old.get(p.name());
        if (was != null
            && (!was.publishAddr().equals(p.publishAddr())
                || was.publishPort() != p.publishPort())) {
          names.add(p.name());
        }
      }
      return names;
    }

    private List<ProxyConfig> removedConfigs() {
      Set<String> removed = plan.names(Kind.PROXY, Action.REMOVE);
      return oldProxies.stream().filter(p -> removed.contains(p.name())).toList();
    }
  }

  private static Map<String, ProxyConfig> byName(List<ProxyConfig> proxies) {
    Map<String, ProxyConfig> m = new LinkedHashMap<>();
    proxies.forEach(p -> m.put(p.name(), p));
    return m;
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return java.util.stream.Collectors.toCollection(LinkedHashSet::new);
  }
}
