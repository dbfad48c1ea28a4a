package dev.tlstunnel.client;

import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.Transport;
import dev.tlstunnel.visitor.Visitors;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** What every stream of one client shares. */
record ClientContext(
    ClientConfig config,
    Transport transport,
    YamuxConfig yamux,
    Map<String, ProxyConfig> proxiesByName,
    Visitors visitors) {

  static ClientContext of(ClientConfig config, Transport transport, YamuxConfig yamux) {
    Map<String, ProxyConfig> byName = new LinkedHashMap<>();
    config.proxies().forEach(p -> byName.put(p.name(), p));
    return new ClientContext(
        config,
        transport,
        yamux,
        Map.copyOf(byName),
        new Visitors(config.visitors(), config.clientId(), transport, Clock.systemUTC()));
  }
}
