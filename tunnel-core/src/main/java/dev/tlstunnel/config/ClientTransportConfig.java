package dev.tlstunnel.config;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the client reaches the server ({@code [client]} keys {@code transport}, {@code path}, {@code
 * host}, {@code headers}, {@code ping_interval}, {@code proxy_url}).
 *
 * @param transport what carries yamux; must be the server port's transport
 * @param path the WebSocket upgrade path ({@code wss} only; an h2 CONNECT request has no path)
 * @param host the {@code Host} header (wss) or {@code :authority} (h2); null for {@code
 *     server_addr:server_port}
 * @param headers extra request headers of the upgrade (wss) or CONNECT (h2) request
 * @param pingInterval WebSocket ping (wss) or HTTP/2 PING (h2) interval against proxies that close
 *     idle connections; zero sends none
 * @param proxyUrl {@code http://[user:pass@]host:port} or {@code socks5://[user:pass@]host:port} to
 *     dial the server through, or null to dial directly
 */
public record ClientTransportConfig(
    TunnelTransport transport,
    String path,
    String host,
    Map<String, String> headers,
    Duration pingInterval,
    String proxyUrl) {

  /** The default ping interval: 20 seconds, below the usual 30 to 60 s proxy idle timeouts. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);

  /** TLS, dialed directly: the default. */
  public static final ClientTransportConfig DEFAULT = of(TunnelTransport.TLS);

  public ClientTransportConfig {
    headers = headers == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(headers));
  }

  /** {@code transport} with every other setting at its default. */
  public static ClientTransportConfig of(TunnelTransport transport) {
    return new ClientTransportConfig(
        transport, ServerTransportConfig.DEFAULT_PATH, null, Map.of(), DEFAULT_PING_INTERVAL, null);
  }

  /** A copy with another WebSocket path. */
  public ClientTransportConfig withPath(String newPath) {
    return new ClientTransportConfig(transport, newPath, host, headers, pingInterval, proxyUrl);
  }

  /** A copy dialing through {@code url}. */
  public ClientTransportConfig withProxyUrl(String url) {
    return new ClientTransportConfig(transport, path, host, headers, pingInterval, url);
  }

  /** A copy sending {@code hostHeader} and the extra {@code requestHeaders}. */
  public ClientTransportConfig withHeaders(String hostHeader, Map<String, String> requestHeaders) {
    return new ClientTransportConfig(
        transport, path, hostHeader, requestHeaders, pingInterval, proxyUrl);
  }

  /** A copy pinging every {@code interval}. */
  public ClientTransportConfig withPingInterval(Duration interval) {
    return new ClientTransportConfig(transport, path, host, headers, interval, proxyUrl);
  }

  /** {@code wss}, or {@code h2 via http proxy 127.0.0.1:3128}. */
  public String describe() {
    String t = transport.configName();
    return proxyUrl == null ? t : t + " via " + proxyName();
  }

  /** {@code http proxy host:port} or {@code socks5 proxy host:port}, or null without a proxy. */
  public String proxyName() {
    if (proxyUrl == null) {
      return null;
    }
    ProxyUrl proxy = ProxyUrl.parse(proxyUrl);
    return proxy.kind().name().toLowerCase(java.util.Locale.ROOT) + " proxy " + proxy.address();
  }

  /** Every component, with a proxy password shown as {@code ***}. */
  @Override
  public String toString() {
    return "ClientTransportConfig[transport="
        + transport
        + ", path="
        + path
        + ", host="
        + host
        + ", headers="
        + headers.keySet()
        + ", pingInterval="
        + pingInterval
        + ", proxyUrl="
        + (proxyUrl == null ? null : ProxyUrl.redact(proxyUrl))
        + "]";
  }
}
