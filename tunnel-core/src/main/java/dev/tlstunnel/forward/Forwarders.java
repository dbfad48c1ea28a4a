package dev.tlstunnel.forward;

import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.RoutingConfig;
import dev.tlstunnel.egress.ResolverThreads;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The client's forwarders: started with the client, each listening on its own; closed with it. A
 * reload adds, removes, restarts or updates them in two steps: {@link #prepare} opens what can fail
 * (GeoIP databases) without changing anything, {@link #commit} puts it in force (or {@link #abort}
 * drops it). Used by the client facade; not an API of its own. Thread-safe.
 */
public final class Forwarders implements AutoCloseable {
  private final EventLoopGroup group;
  private final Transport transport;
  private final TunnelStreams tunnel;
  private final ExecutorService blocking;
  private final Map<String, Forwarder> forwarders = new LinkedHashMap<>();

  private Forwarders(
      EventLoopGroup group, Transport transport, TunnelStreams tunnel, ExecutorService blocking) {
    this.group = group;
    this.transport = transport;
    this.tunnel = tunnel;
    this.blocking = blocking;
  }

  /**
   * Starts every forwarder of {@code configs} on {@code group}.
   *
   * @throws IOException when a GeoIP database cannot be opened (nothing is left running)
   */
  public static Forwarders start(
      List<ForwarderConfig> configs,
      EventLoopGroup group,
      Transport transport,
      TunnelStreams tunnel)
      throws IOException {
    ExecutorService blocking = ResolverThreads.create("tunnel-forward-dns", 4, 1024);
    Forwarders all = new Forwarders(group, transport, tunnel, blocking);
    Prepared first;
    try {
      first = all.prepare(configs, Set.of());
    } catch (IOException | RuntimeException e) {
      blocking.shutdownNow();
      throw e;
    }
    all.commit(first, Duration.ZERO);
    return all;
  }

  /** What a reload prepared: routers (with their databases open) for the new and changed ones. */
  public static final class Prepared {
    private final List<ForwarderConfig> next;
    private final Set<String> restart;
    private final Map<String, Router> routers = new LinkedHashMap<>();
    private final Map<String, GeoIp> databases = new LinkedHashMap<>();

    private Prepared(List<ForwarderConfig> next, Set<String> restart) {
      this.next = next;
      this.restart = restart;
    }
  }

  /**
   * Opens what {@code next} needs that the running forwarders lack; changes nothing.
   *
   * @param restart forwarders that start anew (a new listen address or type)
   * @throws IOException naming a GeoIP database that cannot be opened (nothing is left open)
   */
  public synchronized Prepared prepare(List<ForwarderConfig> next, Set<String> restart)
      throws IOException {
    Prepared p = new Prepared(List.copyOf(next), Set.copyOf(restart));
    try {
      for (ForwarderConfig config : next) {
        Forwarder running = forwarders.get(config.name());
        if (running == null
            || restart.contains(config.name())
            || !running.config().routing().equals(config.routing())) {
          GeoIp db =
              config.routing().geoipDb() == null ? null : GeoIp.open(config.routing().geoipDb());
          if (db != null) {
            p.databases.put(config.name(), db);
          }
          p.routers.put(config.name(), router(config.routing(), db));
        }
      }
    } catch (IOException | RuntimeException e) {
      abort(p);
      throw e;
    }
    return p;
  }

  /**
   * Puts {@code p} in force: new forwarders start, removed and restarted ones stop listening (their
   * connections may finish for {@code grace}), changed ones take their new settings in place.
   */
  public synchronized void commit(Prepared p, Duration grace) {
    Map<String, Forwarder> next = new LinkedHashMap<>();
    List<Forwarder> starting = new ArrayList<>();
    for (ForwarderConfig config : p.next) {
      Forwarder running = forwarders.remove(config.name());
      Router router = p.routers.get(config.name());
      GeoIp db = p.databases.get(config.name());
      boolean rebind =
          running != null && (p.restart.contains(config.name()) || needsRebind(running, config));
      if (running != null && !rebind) {
        if (!running.config().equals(config)) {
          running.update(config, router != null ? router : running.connector().router(), db, grace);
        }
        next.put(config.name(), running);
        continue;
      }
      if (running != null) {
        running.retire(grace);
      }
      Forwarder f =
          new Forwarder(
              config,
              group,
              transport,
              tunnel,
              blocking,
              router != null ? router : router(config.routing(), (GeoIp) null),
              db);
      next.put(config.name(), f);
      starting.add(f);
    }
    forwarders.values().forEach(f -> f.retire(grace));
    forwarders.clear();
    forwarders.putAll(next);
    starting.forEach(Forwarder::start);
  }

  /**
   * A new retry policy reaches a listener only when it binds again: a forwarder that is not
   * listening starts its bind schedule anew with it.
   */
  private static boolean needsRebind(Forwarder running, ForwarderConfig next) {
    return !Objects.equals(running.config().bindRetry(), next.bindRetry())
        && !"healthy".equals(running.state().status());
  }

  /** Drops what {@link #prepare} opened. */
  public synchronized void abort(Prepared p) {
    p.databases.values().forEach(GeoIp::close);
  }

  /** The router of one forwarder; opens its GeoIP database, if any, into {@code databases}. */
  static Router router(RoutingConfig routing, List<GeoIp> databases) throws IOException {
    GeoIp geoIp = null;
    if (routing.geoipDb() != null) {
      geoIp = GeoIp.open(routing.geoipDb());
      databases.add(geoIp);
    }
    return router(routing, geoIp);
  }

  /** The router of one forwarder, with its GeoIP database (null: none). */
  static Router router(RoutingConfig routing, GeoIp geoIp) {
    return new Router(routing, geoIp, Forwarders::lookup);
  }

  static InetAddress[] lookup(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }

  /** The state of every forwarder, in configuration order. */
  public synchronized List<ForwarderState> states() {
    return forwarders.values().stream().map(Forwarder::state).toList();
  }

  @Override
  public synchronized void close() {
    forwarders.values().forEach(Forwarder::close);
    forwarders.clear();
    blocking.shutdownNow();
  }
}
