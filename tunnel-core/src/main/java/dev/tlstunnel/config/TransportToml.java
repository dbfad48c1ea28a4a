package dev.tlstunnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Maps the transport keys of {@code [server]} and {@code [client]} onto {@link
 * ServerTransportConfig} and {@link ClientTransportConfig}. Value rules are {@link
 * TransportCheck}'s.
 */
final class TransportToml {
  private TransportToml() {}

  static ServerTransportConfig server(TomlTable s, Path baseDir) {
    String path = s.string("path");
    List<String> trusted = s.stringList("trusted_proxies");
    return new ServerTransportConfig(
        transport(s),
        path == null ? ServerTransportConfig.DEFAULT_PATH : path,
        s.path("decoy_page", baseDir),
        Boolean.TRUE.equals(s.bool("behind_proxy")),
        trusted == null ? List.of() : trusted);
  }

  static ClientTransportConfig client(TomlTable c) {
    String path = c.string("path");
    Map<String, String> headers = c.stringMap("headers");
    Duration ping = c.duration("ping_interval");
    return new ClientTransportConfig(
        transport(c),
        path == null ? ServerTransportConfig.DEFAULT_PATH : path,
        c.string("host"),
        headers == null ? Map.of() : headers,
        ping == null ? ClientTransportConfig.DEFAULT_PING_INTERVAL : ping,
        c.string("proxy_url"));
  }

  private static TunnelTransport transport(TomlTable t) {
    String name = t.string("transport");
    if (name == null) {
      return TunnelTransport.TLS;
    }
    TunnelTransport transport = TunnelTransport.fromConfigName(name);
    if (transport == null) {
      t.error("transport", "must be one of tls, wss or h2, got '" + name + "'");
      return TunnelTransport.TLS;
    }
    return transport;
  }
}
