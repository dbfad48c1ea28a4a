package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.List;

/**
 * How the server's tunnel port is reached: the transport and, for the HTTP transports, the
 * WebSocket path, the decoy page and the reverse proxy in front ({@code [server]} keys {@code
 * transport}, {@code path}, {@code decoy_page}, {@code behind_proxy}, {@code trusted_proxies}).
 *
 * @param transport what carries yamux on this port; one port serves one transport
 * @param path the WebSocket upgrade path ({@code wss}); other paths get 404 or the decoy page
 * @param decoyPage a file served (200, {@code text/html}) to every HTTP request that is not the
 *     tunnel, or null for a plain 404
 * @param behindProxy the port speaks cleartext HTTP (wss) or h2c (h2) to a reverse proxy that
 *     terminates TLS; then no certificate is configured
 * @param trustedProxies CIDRs of the proxies whose {@code X-Forwarded-For} / {@code Forwarded}
 *     header names the real client; empty trusts none
 */
public record ServerTransportConfig(
    TunnelTransport transport,
    String path,
    Path decoyPage,
    boolean behindProxy,
    List<String> trustedProxies) {

  /** The default WebSocket path. */
  public static final String DEFAULT_PATH = "/";

  /** TLS, no HTTP, no proxy: the default. */
  public static final ServerTransportConfig DEFAULT = of(TunnelTransport.TLS);

  public ServerTransportConfig {
    trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
  }

  /** {@code transport} with every other setting at its default. */
  public static ServerTransportConfig of(TunnelTransport transport) {
    return new ServerTransportConfig(transport, DEFAULT_PATH, null, false, List.of());
  }

  /** A copy behind a reverse proxy at {@code trusted} (cleartext on this port). */
  public ServerTransportConfig behind(List<String> trusted) {
    return new ServerTransportConfig(transport, path, decoyPage, true, trusted);
  }

  /** A copy with another WebSocket path. */
  public ServerTransportConfig withPath(String newPath) {
    return new ServerTransportConfig(transport, newPath, decoyPage, behindProxy, trustedProxies);
  }

  /** A copy serving {@code page} to requests that are not the tunnel. */
  public ServerTransportConfig withDecoyPage(Path page) {
    return new ServerTransportConfig(transport, path, page, behindProxy, trustedProxies);
  }

  /** A copy trusting the forwarding headers of {@code cidrs}. */
  public ServerTransportConfig withTrustedProxies(List<String> cidrs) {
    return new ServerTransportConfig(transport, path, decoyPage, behindProxy, cidrs);
  }
}
