package dev.tlstunnel.client;

import dev.tlstunnel.protocol.StreamHeaderDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;

/**
 * Sets up every stream the server opens: header decoder, then the local connect. Each stream joins
 * the session's group of data streams (a graceful shutdown waits for them).
 */
@ChannelHandler.Sharable
final class ClientInboundStreams extends ChannelInitializer<Channel> {
  private final ClientContext context;
  private final ChannelGroup dataStreams;

  ClientInboundStreams(ClientContext context, ChannelGroup dataStreams) {
    this.context = context;
    this.dataStreams = dataStreams;
  }

  @Override
  protected void initChannel(Channel stream) {
    dataStreams.add(stream);
    stream.config().setOption(ChannelOption.AUTO_READ, false);
    stream.pipeline().addLast("header", new StreamHeaderDecoder());
    stream.pipeline().addLast("connect", new LocalConnectHandler(context));
    stream.read();
  }
}
