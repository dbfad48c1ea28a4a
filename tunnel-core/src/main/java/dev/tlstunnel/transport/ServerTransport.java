package dev.tlstunnel.transport;

import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.egress.Cidr;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;

/**
 * The server's side of a tunnel transport, installed on every accepted connection: TLS (unless the
 * port sits behind a reverse proxy), then for wss the WebSocket upgrade and for h2 the HTTP/2 codec
 * and its CONNECT stream. Once the connection carries a plain byte stream it runs {@code ready},
 * after which the caller adds yamux; the layers above never see the transport. One port serves one
 * transport.
 */
public final class ServerTransport {
  private static final int MAX_REQUEST = 8192;

  private final ServerTransportConfig config;
  private final SslContext ssl;
  private final Duration deadline;
  private final Decoy decoy;
  private final ForwardedFor forwardedFor;
  private final ViolationLog violations;

  private ServerTransport(
      ServerTransportConfig config,
      SslContext ssl,
      Duration deadline,
      Decoy decoy,
      ViolationLog violations) {
    this.config = config;
    this.ssl = ssl;
    this.deadline = deadline;
    this.decoy = decoy;
    this.forwardedFor =
        new ForwardedFor(config.trustedProxies().stream().map(Cidr::parse).toList());
    this.violations = violations;
  }

  /**
   * The transport of a validated config, with the TLS context of the port (null behind a proxy that
   * terminates TLS); reads the decoy page.
   *
   * @param handshakeTimeout the deadline of the TLS handshake and of the upgrade or CONNECT request
   * @throws IOException naming the decoy page when it cannot be read
   */
  public static ServerTransport create(
      ServerTransportConfig config,
      SslContext ssl,
      Duration handshakeTimeout,
      ViolationLog violations)
      throws IOException {
    ServerTransportConfig c = config == null ? ServerTransportConfig.DEFAULT : config;
    return new ServerTransport(c, ssl, handshakeTimeout, Decoy.of(c.decoyPage()), violations);
  }

  /** The ALPN protocols a TLS context for {@code config} offers, in order of preference. */
  public static String[] alpn(ServerTransportConfig config) {
    return config != null && config.transport() == TunnelTransport.H2
        ? new String[] {ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1}
        : new String[0];
  }

  public TunnelTransport transport() {
    return config.transport();
  }

  /** {@code tls}, {@code wss on path /t}, {@code h2, cleartext behind a reverse proxy}, ... */
  public String describe() {
    String s =
        config.transport() == TunnelTransport.WSS
            ? "wss on path " + config.path()
            : config.transport().configName();
    return config.behindProxy() ? s + ", cleartext behind a reverse proxy" : s;
  }

  /**
   * Whether admission control must wait for {@link #install}'s {@code ready}: the peer is a trusted
   * proxy, so the client's own address is known only from the request's forwarding header.
   */
  public boolean defersAdmission(Channel ch) {
    InetAddress peer = Sockets.address(ch);
    return config.transport().http() && peer != null && forwardedFor.trusts(peer);
  }

  /**
   * Adds the transport's handlers to {@code ch}; {@code ready} runs once bytes can flow. Until then
   * a setup tail reports failures (TLS, broken requests) through the violation log and closes.
   */
  public void install(Channel ch, Runnable whenReady) {
    PeerAddress.setTransport(ch, config.transport());
    Runnable ready = whenReady;
    if (config.transport().http()) {
      SetupTail tail = new SetupTail(violations, null, deadline);
      ready =
          () -> {
            ch.pipeline().remove(tail);
            whenReady.run();
          };
      ch.pipeline().addLast(SetupTail.NAME, tail);
    }
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      SslHandler tls = ssl.newHandler(ch.alloc());
      tls.setHandshakeTimeoutMillis(deadline.toMillis());
      SetupTail.addBefore(p, "tls", tls);
    }
    switch (config.transport()) {
      case TLS -> ready.run();
      case WSS -> {
        SetupTail.addBefore(p, "http", new HttpServerCodec(4096, MAX_REQUEST, MAX_REQUEST));
        SetupTail.addBefore(p, "http-aggregator", new HttpObjectAggregator(MAX_REQUEST));
        SetupTail.addBefore(
            p,
            "ws-upgrade",
            new WsServerUpgradeHandler(config.path(), decoy, forwardedFor, violations, ready));
      }
      case H2 -> {
        if (ssl != null) {
          SetupTail.addBefore(p, "alpn", new Alpn(ready));
        } else {
          Runnable r = ready;
          SetupTail.addBefore(
              p, "h2c-sniffer", new H2cPrefaceSniffer(ctx -> http2(ctx, r), ctx -> http1(ctx)));
        }
      }
    }
  }

  private void http2(ChannelHandlerContext ctx, Runnable ready) {
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(
        ctx.name(),
        "h2",
        Http2FrameCodecBuilder.forServer()
            .initialSettings(H2Bridge.settings())
            .validateHeaders(true)
            .build());
    p.addAfter("h2", "h2-tunnel", new H2ServerBridge(decoy, forwardedFor, ready));
  }

  private void http1(ChannelHandlerContext ctx) {
    ChannelPipeline p = ctx.pipeline();
    p.addAfter(ctx.name(), "http", new HttpServerCodec(4096, MAX_REQUEST, MAX_REQUEST));
    p.addAfter("http", "http-aggregator", new HttpObjectAggregator(MAX_REQUEST));
    p.addAfter("http-aggregator", "decoy", new DecoyHandler(decoy));
  }

  /** After TLS: HTTP/2 when the client chose it by ALPN, else the decoy over HTTP/1.1. */
  private final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final Runnable ready;

    Alpn(Runnable ready) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.ready = ready;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        http2(ctx, ready);
      } else {
        http1(ctx);
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // the failure event goes on to the setup tail, which reports it
    }
  }
}
