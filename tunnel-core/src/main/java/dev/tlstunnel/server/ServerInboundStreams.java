package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ControlCodec;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up the streams a client opens: the first is the control stream (codec, then authentication);
 * clients open no other streams in this protocol version, so further ones are refused.
 */
@ChannelHandler.Sharable
final class ServerInboundStreams extends ChannelInitializer<Channel> {
  private static final Logger log = LoggerFactory.getLogger(ServerInboundStreams.class);

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
      log.debug("Refusing extra stream {} from {}", stream, tunnel.remoteAddress());
      stream.close();
      return;
    }
    controlOpened = true;
    ControlCodec.addTo(stream.pipeline(), context.limits.maxControlFrame());
    stream.pipeline().addLast("auth", new ServerAuthHandler(context, tunnel));
  }
}
