package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ClientStreamRequest;
import dev.tlstunnel.protocol.ControlCodec;
import dev.tlstunnel.protocol.StreamFrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * Sets up the streams a client opens: the first is the control stream (codec, then authentication);
 * every later one starts with a {@link ClientStreamRequest} that {@link ClientStreamRouter} hands
 * to the handler of its kind.
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
      stream.config().setAutoRead(false);
      stream
          .pipeline()
          .addLast(
              "request", new StreamFrameDecoder(ClientStreamRequest.WHAT, ClientStreamRequest::of))
          .addLast("router", new ClientStreamRouter(context, tunnel));
      stream.read();
      return;
    }
    controlOpened = true;
    ControlCodec.addTo(stream.pipeline(), context.limits.maxControlFrame());
    stream.pipeline().addLast("auth", new ServerAuthHandler(context, tunnel));
  }
}
