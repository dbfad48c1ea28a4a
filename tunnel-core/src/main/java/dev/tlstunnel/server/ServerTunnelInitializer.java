package dev.tlstunnel.server;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.proxyproto.Endpoints;
import dev.tlstunnel.relay.DeadPeerHandler;
import dev.tlstunnel.transport.PeerAddress;
import dev.tlstunnel.transport.ReadAfterCloseGuard;
import dev.tlstunnel.transport.ServerTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;

/**
 * The tunnel connection's pipeline: the transport (TLS, and the WebSocket or HTTP/2 adapter),
 * keepalive, yamux, the authentication deadline, the tail; first, when the server reads the PROXY
 * protocol from a load balancer in front, its header. A connection that {@link AdmissionControl}
 * refuses is closed before any of them is created; one from a trusted reverse proxy is admitted
 * once the transport has read the client's forwarded address.
 */
final class ServerTunnelInitializer extends ChannelInitializer<SocketChannel> {
  private final ServerContext context;
  private volatile ServerTransport transport;

  ServerTunnelInitializer(ServerContext context, ServerTransport transport) {
    this.context = context;
    this.transport = transport;
  }

  /** A reload changed the transport or the certificate: new connections get {@code next}. */
  void transport(ServerTransport next) {
    this.transport = next;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ReadAfterCloseGuard.install(ch);
    context.proxyProtocol.install(ch, endpoints -> proceed(ch, endpoints));
  }

  /** Once a load balancer's PROXY protocol header (if any) named the client. */
  private void proceed(SocketChannel ch, Endpoints endpoints) {
    if (endpoints.fromHeader()) {
      PeerAddress.setProxied(ch, endpoints.source(), endpoints.destination());
    }
    ServerTransport transport = this.transport;
    boolean deferred = transport.defersAdmission(ch);
    if (!deferred && !context.admission.admit(ch)) {
      return;
    }
    context.tunnels.add(ch);
    transport.install(
        ch,
        () -> {
          if (!deferred || context.admission.admit(ch)) {
            addAfterTls(context, ch);
          }
        });
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
