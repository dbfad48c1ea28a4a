package dev.tlstunnel.config;

import dev.tlstunnel.egress.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks of the transport settings of server and client. Part of {@link ConfigValidator}. */
final class TransportCheck {
  /** The largest decoy page served, in bytes (it is held in memory). */
  static final long MAX_DECOY_PAGE = 1024 * 1024;

  /** The most extra request headers. */
  static final int MAX_HEADERS = 64;

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e&&[^?#]]{0,1023}");
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "host",
          "upgrade",
          "connection",
          "content-length",
          "transfer-encoding",
          "keep-alive",
          "proxy-connection",
          "te");

  private TransportCheck() {}

  static ServerTransportConfig server(ServerConfig c, Problems p) {
    ServerTransportConfig t = c.transport() == null ? ServerTransportConfig.DEFAULT : c.transport();
    TunnelTransport transport = t.transport() == null ? TunnelTransport.TLS : t.transport();
    String path = t.path() == null ? ServerTransportConfig.DEFAULT_PATH : t.path();
    path(path, "server.path", p);
    if (t.behindProxy()) {
      if (!transport.http()) {
        p.error(
            "server.behind_proxy",
            "needs transport = \"wss\" or \"h2\": a reverse proxy that terminates TLS can pass on"
                + " only an HTTP tunnel (WebSocket or HTTP/2), not yamux over TLS");
      }
      if (c.certPath() != null || c.keyPath() != null) {
        p.error(
            "server.behind_proxy",
            "cannot be combined with cert_path / key_path: the proxy in front terminates TLS and"
                + " this port speaks cleartext; remove cert_path and key_path, or set behind_proxy"
                + " = false to terminate TLS here");
      }
      if (t.trustedProxies().isEmpty()) {
        p.warn(
            "server.trusted_proxies",
            "empty with behind_proxy: every client shows with the proxy's address (limits, logs,"
                + " status); list the proxy, e.g. [\"127.0.0.1/32\"]");
      }
    }
    if (!transport.http() && !t.trustedProxies().isEmpty()) {
      p.error(
          "server.trusted_proxies",
          "only the wss and h2 transports carry X-Forwarded-For / Forwarded headers");
    }
    for (int i = 0; i < t.trustedProxies().size(); i++) {
      try {
        Cidr.parse(t.trustedProxies().get(i));
      } catch (IllegalArgumentException e) {
        p.error("server.trusted_proxies[" + i + "]", e.getMessage());
      }
    }
    decoyPage(t.decoyPage(), transport, p);
    return new ServerTransportConfig(
        transport, path, t.decoyPage(), t.behindProxy(), t.trustedProxies());
  }

  private static void decoyPage(Path page, TunnelTransport transport, Problems p) {
    if (page == null) {
      return;
    }
    if (!transport.http()) {
      p.error("server.decoy_page", "only the wss and h2 transports serve HTTP");
    } else if (!Files.isRegularFile(page) || !Files.isReadable(page)) {
      p.error("server.decoy_page", "not a readable file: " + page.toAbsolutePath());
    } else {
      try {
        if (Files.size(page) > MAX_DECOY_PAGE) {
          p.error(
              "server.decoy_page",
              "at most " + MAX_DECOY_PAGE + " bytes, got " + Files.size(page) + ": " + page);
        }
      } catch (IOException e) {
        p.error("server.decoy_page", "cannot read " + page + ": " + e.getMessage());
      }
    }
  }

  static ClientTransportConfig client(ClientTransportConfig given, Problems p) {
    ClientTransportConfig t = given == null ? ClientTransportConfig.DEFAULT : given;
    TunnelTransport transport = t.transport() == null ? TunnelTransport.TLS : t.transport();
    String path = t.path() == null ? ServerTransportConfig.DEFAULT_PATH : t.path();
    path(path, "client.path", p);
    if (t.host() != null && !t.host().matches("[\\x21-\\x7e]{1,255}")) {
      p.error("client.host", "must be a host name or host:port, got '" + t.host() + "'");
    }
    headers(t.headers(), p);
    if (!transport.http() && (t.host() != null || !t.headers().isEmpty())) {
      p.warn("client.headers", "host and headers are ignored with transport = \"tls\"");
    }
    var ping =
        t.pingInterval() == null ? ClientTransportConfig.DEFAULT_PING_INTERVAL : t.pingInterval();
    if (ping.isNegative()) {
      p.error("client.ping_interval", "must be 0s (off) or more, got " + Durations.format(ping));
    }
    if (t.proxyUrl() != null) {
      try {
        ProxyUrl.parse(t.proxyUrl());
      } catch (IllegalArgumentException e) {
        p.error("client.proxy_url", e.getMessage());
      }
    }
    return new ClientTransportConfig(transport, path, t.host(), t.headers(), ping, t.proxyUrl());
  }

  private static void headers(Map<String, String> headers, Problems p) {
    if (headers.size() > MAX_HEADERS) {
      p.error("client.headers", "at most " + MAX_HEADERS + " headers, got " + headers.size());
      return;
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      String key = "client.headers." + e.getKey();
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!TOKEN.matcher(e.getKey()).matches()) {
        p.error(key, "not a valid HTTP header name");
      } else if (RESERVED_HEADERS.contains(name) || name.startsWith("sec-websocket-")) {
        p.error(
            key,
            "set by the transport itself"
                + (name.equals("host") ? "; use client.host for the Host header" : ""));
      } else if (e.getValue().length() > 4096 || !e.getValue().matches("[\\x20-\\x7e\\t]*")) {
        p.error(key, "the value must be printable ASCII of at most 4096 characters");
      }
    }
  }

  private static void path(String path, String key, Problems p) {
    if (!PATH.matcher(path).matches()) {
      p.error(
          key,
          "must start with '/' and hold only printable ASCII without spaces, '?' or '#' (at most"
              + " 1024 characters), got '"
              + path
              + "'");
    }
  }

  /** Whether the server port needs a certificate: everything but a port behind a proxy. */
  static boolean needsCertificate(ServerConfig c) {
    return c.transport() == null || !c.transport().behindProxy();
  }
}
