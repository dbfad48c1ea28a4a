package dev.tlstunnel.client;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.relay.DeadPeerHandler;
import dev.tlstunnel.transport.ClientTransport;
import dev.tlstunnel.transport.ViolationLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The pipeline of the client's tunnel connection: the transport (TLS, and the WebSocket or HTTP/2
 * adapter, through an outbound proxy when configured) and, once it is ready, keepalive, yamux (each
 * stream the server opens set up by {@link ClientInboundStreams}) and the tail.
 */
final class ClientTunnelInitializer extends ChannelInitializer<Channel> {
  private final ClientContext context;
  private final Supplier<ClientContext> current;
  private final ClientTransport transport;
  private final ChannelGroup dataStreams;
  private final AtomicInteger keepAliveTimers;
  private final Consumer<DeadPeerHandler.PeerSilent> onSilence;
  private final ViolationLog violations;
  private Future<Void> ready;

  /**
   * @param current the session's context when a stream opens (a reload may change it)
   */
  /** The server this session dials (one of {@code client.server_addr}). */
  private final ServerChoice.Target server;

  ClientTunnelInitializer(
      ClientContext context,
      Supplier<ClientContext> current,
      ClientTransport transport,
      ChannelGroup dataStreams,
      AtomicInteger keepAliveTimers,
      Consumer<DeadPeerHandler.PeerSilent> onSilence,
      ViolationLog violations,
      ServerChoice.Target server) {
    this.server = server;
    this.context = context;
    this.current = current;
    this.transport = transport;
    this.dataStreams = dataStreams;
    this.keepAliveTimers = keepAliveTimers;
    this.onSilence = onSilence;
    this.violations = violations;
  }

  @Override
  protected void initChannel(Channel ch) {
    ready = transport.install(ch, server.host(), server.port(), violations);
  }

  /** Completes when the transport carries bytes (TLS done, upgrade or CONNECT answered). */
  Future<Void> ready() {
    return ready;
  }

  /** Adds what runs above the transport, once it is {@link #ready()}. */
  void addAfterTransport(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("keepalive", keepAlive());
    YamuxMultiplexHandler.addTo(
        p, context.yamux(), true, new ClientInboundStreams(current, dataStreams));
    p.addLast("tail", new ClientTailHandler(onSilence));
  }

  private DeadPeerHandler keepAlive() {
    var settings = context.config().keepAlive();
    return new DeadPeerHandler(
        settings.interval(),
        settings.timeout(),
        ch -> YamuxMultiplexHandler.get(ch).ping(),
        () -> "[client=" + context.config().clientId() + "] server " + context.config().server(),
        keepAliveTimers,
        false); // the session's end reports it: "connection to server ... lost: no data ..."
  }
}
