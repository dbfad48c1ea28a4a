package dev.tlstunnel.client;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.relay.DeadPeerHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The pipeline of the client's tunnel connection: TLS, keepalive, yamux (each stream the server
 * opens set up by {@link ClientInboundStreams}), the tail.
 */
final class ClientTunnelInitializer extends ChannelInitializer<Channel> {
  private final ClientContext context;
  private final SslContext ssl;
  private final ChannelGroup dataStreams;
  private final AtomicInteger keepAliveTimers;
  private final Consumer<DeadPeerHandler.PeerSilent> onSilence;

  ClientTunnelInitializer(
      ClientContext context,
      SslContext ssl,
      ChannelGroup dataStreams,
      AtomicInteger keepAliveTimers,
      Consumer<DeadPeerHandler.PeerSilent> onSilence) {
    this.context = context;
    this.ssl = ssl;
    this.dataStreams = dataStreams;
    this.keepAliveTimers = keepAliveTimers;
    this.onSilence = onSilence;
  }

  @Override
  protected void initChannel(Channel ch) {
    String host = context.config().serverAddr();
    int port = context.config().serverPort();
    ChannelPipeline p = ch.pipeline();
    p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
    p.addLast("keepalive", keepAlive());
    YamuxMultiplexHandler.addTo(
        p, context.yamux(), true, new ClientInboundStreams(context, dataStreams));
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
