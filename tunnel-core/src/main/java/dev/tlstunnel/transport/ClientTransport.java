package dev.tlstunnel.transport;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.ProxyUrl;
import dev.tlstunnel.config.TunnelTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The client's side of a tunnel transport: an optional outbound proxy (HTTP CONNECT or SOCKS5),
 * TLS, and for wss the WebSocket upgrade or for h2 the HTTP/2 CONNECT stream. {@link #install}
 * returns a future that completes once the connection carries a plain byte stream (the caller then
 * adds yamux) or fails with the reason.
 */
public final class ClientTransport {
  /** How long proxy, TLS and upgrade may take together. */
  static final long SETUP_TIMEOUT_MILLIS = 20_000;

  private final ClientTransportConfig config;
  private final ProxyUrl proxy;
  private final SslContext ssl;

  public ClientTransport(ClientTransportConfig config, SslContext ssl) {
    this.config = config == null ? ClientTransportConfig.DEFAULT : config;
    this.proxy = this.config.proxyUrl() == null ? null : ProxyUrl.parse(this.config.proxyUrl());
    this.ssl = ssl;
  }

  /** The ALPN protocols the client's TLS context must offer for {@code config}. */
  public static String[] alpn(ClientTransportConfig config) {
    TunnelTransport t = config == null ? TunnelTransport.TLS : config.transport();
    return switch (t) {
      case TLS -> new String[0];
      case WSS -> new String[] {ApplicationProtocolNames.HTTP_1_1};
      case H2 -> new String[] {ApplicationProtocolNames.HTTP_2};
    };
  }

  /** {@code wss}, or {@code h2 via http proxy 127.0.0.1:3128}. */
  public String describe() {
    return config.describe();
  }

  /** {@code http proxy host:port} or {@code socks5 proxy host:port}. */
  public String proxyName() {
    return config.proxyName();
  }

  /** Through a proxy the server's name is resolved by the proxy, not here. */
  public Bootstrap configure(Bootstrap bootstrap) {
    return proxy == null ? bootstrap : bootstrap.resolver(NoopAddressResolverGroup.INSTANCE);
  }

  /** The address to connect to: the server's, unresolved when a proxy resolves it. */
  public SocketAddress remote(String host, int port) {
    return InetSocketAddress.createUnresolved(host, port);
  }

  /**
   * Adds proxy, TLS and transport handlers to a new, not yet connected channel.
   *
   * @return completes when bytes can flow; fails with a {@link TransportException} (proxy, upgrade,
   *     setup timeout) or the TLS handshake's own exception
   */
  public Future<Void> install(Channel ch, String host, int port, ViolationLog violations) {
    PeerAddress.setTransport(ch, config.transport());
    Promise<Void> ready = ch.eventLoop().newPromise();
    ChannelPipeline p = ch.pipeline();
    String server = host + ":" + port;
    SetupTail tail = new SetupTail(null, ready, null);
    p.addLast(SetupTail.NAME, tail);
    if (proxy != null) {
      ProxyHandler handler = proxyHandler();
      handler.setConnectTimeoutMillis(SETUP_TIMEOUT_MILLIS);
      SetupTail.addBefore(p, "proxy", handler);
      handler
          .connectFuture()
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  ready.tryFailure(proxyFailure(server, f.cause()));
                }
              });
    }
    SslHandler tls = ssl.newHandler(ch.alloc(), host, port);
    SetupTail.addBefore(p, "tls", tls);
    tls.handshakeFuture().addListener(f -> afterTls(f, ch, tls, host, port, ready));
    if (config.transport() == TunnelTransport.WSS) {
      wss(p, host, port, violations, ready);
    }
    guard(ch, ready, server, tail);
    return ready;
  }

  private void afterTls(
      Future<?> handshake, Channel ch, SslHandler tls, String host, int port, Promise<Void> ready) {
    if (!handshake.isSuccess()) {
      // A failed proxy fails the TLS handler's queued handshake with its own answer.
      ProxyConnectException proxied = proxy == null ? null : proxyCause(handshake.cause());
      ready.tryFailure(
          proxied != null ? proxyFailure(host + ":" + port, proxied) : handshake.cause());
    } else if (config.transport() == TunnelTransport.H2) {
      h2(ch, tls, host, port, ready);
    } else if (config.transport() == TunnelTransport.TLS) {
      ready.trySuccess(null);
    }
  }

  /** Fails {@code ready} after the setup timeout or when the connection closes first. */
  private void guard(Channel ch, Promise<Void> ready, String server, SetupTail tail) {
    String timeout =
        "no "
            + config.transport().configName()
            + " tunnel to server "
            + server
            + " within "
            + SETUP_TIMEOUT_MILLIS / 1000
            + " s";
    var timer =
        ch.eventLoop()
            .schedule(
                () -> ready.tryFailure(new TransportException(timeout)),
                SETUP_TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
    // A proxy handler fails its connect future with the proxy's answer in channelInactive, which
    // Netty queues as a task right after the close future completes; the generic reason below is
    // queued behind that task (hence two hops), so the precise one wins.
    ch.closeFuture()
        .addListener(
            f -> ch.eventLoop().execute(() -> ch.eventLoop().execute(() -> closed(ready, server))));
    ready.addListener(
        f -> {
          timer.cancel(false);
          if (f.isSuccess()) {
            ch.pipeline().remove(tail);
          }
        });
  }

  private void closed(Promise<Void> ready, String server) {
    ready.tryFailure(
        new TransportException(
            FailureKind.CONNECTION_LOST,
            "server "
                + server
                + " closed the connection while the "
                + config.transport().configName()
                + " tunnel was set up",
            null));
  }

  private ProxyHandler proxyHandler() {
    InetSocketAddress at = new InetSocketAddress(proxy.host(), proxy.port());
    return switch (proxy.kind()) {
      case HTTP ->
          proxy.username() == null
              ? new HttpProxyHandler(at)
              : new HttpProxyHandler(at, proxy.username(), proxy.password());
      case SOCKS5 ->
          proxy.username() == null
              ? new Socks5ProxyHandler(at)
              : new Socks5ProxyHandler(at, proxy.username(), proxy.password());
    };
  }

  private static ProxyConnectException proxyCause(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProxyConnectException p) {
        return p;
      }
    }
    return null;
  }

  private TransportException proxyFailure(String server, Throwable cause) {
    String reason =
        cause instanceof ProxyConnectException
            ? cause.getMessage().replaceFirst("^[^,]*, [^,]*, [^ ]* => [^ ,]*, ", "")
            : dev.tlstunnel.common.Errors.rootMessage(cause);
    return new TransportException(
        "cannot reach server " + server + " through " + proxyName() + ": " + reason, cause);
  }

  private void wss(
      ChannelPipeline p, String host, int port, ViolationLog violations, Promise<Void> ready) {
    String authority = config.host() != null ? config.host() : host + ":" + port;
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.HOST, authority);
    config.headers().forEach(headers::add);
    var handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            URI.create("wss://" + authority + config.path()),
            WebSocketVersion.V13,
            WsServerUpgradeHandler.SUBPROTOCOL,
            false,
            headers,
            WsFrameAdapter.MAX_MESSAGE,
            true,
            false);
    SetupTail.addBefore(p, "http", new HttpClientCodec());
    SetupTail.addBefore(p, "http-aggregator", new HttpObjectAggregator(8192));
    SetupTail.addBefore(
        p,
        "ws-upgrade",
        new WsClientUpgradeHandler(
            handshaker,
            "server " + host + ":" + port + " path " + config.path(),
            config.pingInterval(),
            violations,
            ready));
  }

  private void h2(Channel ch, SslHandler tls, String host, int port, Promise<Void> ready) {
    if (!ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
      ready.tryFailure(
          new TransportException(
              "server "
                  + host
                  + ":"
                  + port
                  + " did not agree to HTTP/2 in the TLS handshake (ALPN); check that its"
                  + " transport is h2"));
      ch.close();
      return;
    }
    Http2Headers request =
        new DefaultHttp2Headers()
            .method("CONNECT")
            .authority(config.host() != null ? config.host() : host + ":" + port);
    for (Map.Entry<String, String> e : config.headers().entrySet()) {
      request.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    ChannelPipeline p = ch.pipeline();
    p.addAfter(
        "tls",
        "h2",
        Http2FrameCodecBuilder.forClient().initialSettings(H2Bridge.settings()).build());
    p.addAfter(
        "h2",
        "h2-tunnel",
        new H2ClientBridge(request, "server " + host + ":" + port, config.pingInterval(), ready));
  }
}
