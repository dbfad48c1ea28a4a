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

/** What every stream of one client shares. */
record ClientContext(
    ClientConfig config,
    Transport transport,
    YamuxConfig yamux,
    Map<String, ProxyConfig> proxiesByName,
    LocalDialer dialer,
    ProxyRetryRequests retries,
    Visitors visitors,
    ProxyHealthChecks health) {

  /**
   * @param loop the client's event loop, where its sessions run
   */
  static ClientContext of(
      ClientConfig config, Transport transport, YamuxConfig yamux, EventLoop loop) {
    return of(config, transport, yamux, loop, LocalDialer.sockets(config, transport));
  }

  /** Like {@link #of(ClientConfig, Transport, YamuxConfig, EventLoop)}, with another dialer. */
  static ClientContext of(
      ClientConfig config,
      Transport transport,
      YamuxConfig yamux,
      EventLoop loop,
      LocalDialer dialer) {
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    config.proxies().forEach(p -> byName.put(p.name(), p));
    return new ClientContext(
        config,
        transport,
        yamux,
        Map.copyOf(byName),
        dialer,
        new ProxyRetryRequests(loop, byName.keySet()),
        new Visitors(
            config.visitors(), config.clientId(), transport, TickerClock.of(loop.ticker())),
        new ProxyHealthChecks(config.proxies(), transport, loop));
  }
}
