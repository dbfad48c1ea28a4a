package dev.tlstunnel.server;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.relay.DeadPeerHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * The tunnel connection's pipeline: TLS, keepalive, yamux, the authentication deadline, the tail. A
 * connection that {@link AdmissionControl} refuses is closed before any of them is created.
 */
final class ServerTunnelInitializer extends ChannelInitializer<SocketChannel> {
  private final ServerContext context;
  private final SslContext sslContext;

  ServerTunnelInitializer(ServerContext context, SslContext sslContext) {
    this.context = context;
    this.sslContext = sslContext;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (!context.admission.admit(ch)) {
      return;
    }
    context.tunnels.add(ch);
    SslHandler tls = sslContext.newHandler(ch.alloc());
    tls.setHandshakeTimeoutMillis(context.config.handshakeTimeout().toMillis());
    ch.pipeline().addLast("tls", tls);
    addAfterTls(context, ch);
  }

  /**
   * Adds everything that follows TLS. Package-private so tests can build the plaintext tunnel
   * pipeline on an embedded channel (the protocol fuzzer does).
   */
  static void addAfterTls(ServerContext context, Channel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast(
        "keepalive",
        new DeadPeerHandler(
            context.config.keepAlive().interval(),
            context.config.keepAlive().timeout(),
            tunnel -> YamuxMultiplexHandler.get(tunnel).ping(),
            () -> ServerContext.label(ch),
            context.keepAliveTimers));
    YamuxMultiplexHandler.addTo(
        p,
        context.yamuxConfig,
        (log, tunnel, bound, format, args) ->
            context.logs.warn(
                log, "limit:" + bound + ":" + ServerContext.host(tunnel), format, args),
        false,
        new ServerInboundStreams(context, ch));
    p.addLast(
        "auth-deadline",
        new AuthDeadlineHandler(context.config.handshakeTimeout().toMillis(), context.logs));
    p.addLast(
        "tail", new TunnelTailHandler(context.logs, context.config.handshakeTimeout().toMillis()));
  }
}
