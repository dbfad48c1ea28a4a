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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The client's forwarders: started with the client, each listening on its own; closed with it. Used
 * by the client facade; not an API of its own.
 */
public final class Forwarders implements AutoCloseable {
  private final List<Forwarder> forwarders;
  private final List<GeoIp> databases;
  private final ExecutorService blocking;

  private Forwarders(List<Forwarder> forwarders, List<GeoIp> databases, ExecutorService blocking) {
    this.forwarders = forwarders;
    this.databases = databases;
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
    List<GeoIp> databases = new ArrayList<>();
    List<Forwarder> forwarders = new ArrayList<>();
    try {
      for (ForwarderConfig config : configs) {
        Router router = router(config.routing(), databases);
        forwarders.add(new Forwarder(config, group, transport, tunnel, blocking, router));
      }
    } catch (IOException | RuntimeException e) {
      databases.forEach(GeoIp::close);
      blocking.shutdownNow();
      throw e;
    }
    forwarders.forEach(Forwarder::start);
    return new Forwarders(forwarders, databases, blocking);
  }

  /** The router of one forwarder; opens its GeoIP database, if any, into {@code databases}. */
  static Router router(RoutingConfig routing, List<GeoIp> databases) throws IOException {
    GeoIp geoIp = null;
    if (routing.geoipDb() != null) {
      geoIp = GeoIp.open(routing.geoipDb());
      databases.add(geoIp);
    }
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
  public List<ForwarderState> states() {
    return forwarders.stream().map(Forwarder::state).toList();
  }

  @Override
  public void close() {
    forwarders.forEach(Forwarder::close);
    databases.forEach(GeoIp::close);
    blocking.shutdownNow();
  }
}
