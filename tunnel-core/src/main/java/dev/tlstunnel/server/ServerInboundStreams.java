package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ControlCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * Sets up the streams a client opens: the first is the control stream (codec, then authentication);
 * every later one is a data stream that starts with a request header ({@link ClientStreamRouter}).
 */
@ChannelHandler.Sharable
final class ServerInboundStreams extends ChannelInitializer<Channel> {
  private final ServerContext context;
  private final Channel tunnel;
  private boolean controlOpened;

  ServerInboundStreams(ServerContext context, Channel tunnel) {
    this.context = context;
    this.tunnel = tunnel;
  }

  @Override
  protected void initChannel(Channel stream) {
    if (controlOpened) {
      ClientStreamRouter.addTo(stream, context, tunnel);
      return;
    }
    controlOpened = true;
    ControlCodec.addTo(stream.pipeline(), context.limits.maxControlFrame());
    stream.pipeline().addLast("auth", new ServerAuthHandler(context, tunnel));
  }
}
