package dev.tlstunnel.client;

import dev.tlstunnel.common.TickerClock;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.Transport;
import dev.tlstunnel.visitor.Visitors;
import io.netty.channel.EventLoop;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every stream of one client shares. Immutable: a reload makes another ({@link #withConfig}),
 * which streams opened from then on use.
 */
record ClientContext(
    ClientConfig config,
    Transport transport,
    YamuxConfig yamux,
    Map<String, ProxyConfig> proxiesByName,
    LocalDialer dialer,
    ProxyRetryRequests retries,
    Visitors visitors,
    StreamObserver streams,
    ProxyHealthChecks health) {

  /**
   * @param loop the client's event loop, where its sessions run
   */
  static ClientContext of(
      ClientConfig config, Transport transport, YamuxConfig yamux, EventLoop loop) {
    return of(config, transport, yamux, loop, LocalDialer.sockets(config, transport));
  }

  /** The same client with {@code next} (a reload): its proxies, and a dialer for its timeouts. */
  ClientContext withConfig(ClientConfig next) {
    return new ClientContext(
        next,
        transport,
        yamux,
        byName(next.proxies()),
        dialer.reconfigured(next),
        retries,
        visitors,
        streams,
        health);
  }

  /**
   * This context, also knowing {@code extra} proxies it does not have (removed by a reload that is
   * still under way: the server may open streams for them until it has heard).
   */
  ClientContext alsoKnowing(java.util.Collection<ProxyConfig> extra) {
    Map<String, ProxyConfig> all = new LinkedHashMap<>(proxiesByName);
    extra.forEach(p -> all.putIfAbsent(p.name(), p));
    return new ClientContext(
        config, transport, yamux, Map.copyOf(all), dialer, retries, visitors, streams, health);
  }

  private static Map<String, ProxyConfig> byName(java.util.List<ProxyConfig> proxies) {
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    proxies.forEach(p -> byName.put(p.name(), p));
    return Map.copyOf(byName);
  }

  /** Like {@link #of(ClientConfig, Transport, YamuxConfig, EventLoop)}, with another dialer. */
  static ClientContext of(
      ClientConfig config,
      Transport transport,
      YamuxConfig yamux,
      EventLoop loop,
      LocalDialer dialer) {
    Map<String, ProxyConfig> byName = byName(config.proxies());
    return new ClientContext(
        config,
        transport,
        yamux,
        byName,
        dialer,
        new ProxyRetryRequests(loop, byName.keySet()),
        new Visitors(
            config.visitors(), config.clientId(), transport, TickerClock.of(loop.ticker())),
        StreamObserver.NONE,
        new ProxyHealthChecks(config.proxies(), transport, loop));
  }

  /** This context with the streams reporting to {@code observer}. */
  ClientContext observedBy(StreamObserver observer) {
    return new ClientContext(
        config, transport, yamux, proxiesByName, dialer, retries, visitors, observer, health);
  }
}
