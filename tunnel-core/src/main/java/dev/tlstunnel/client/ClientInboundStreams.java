package dev.tlstunnel.client;

import dev.tlstunnel.protocol.StreamHeaderDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;

/** Sets up every stream the server opens: header decoder, then the local connect. */
@ChannelHandler.Sharable
final class ClientInboundStreams extends ChannelInitializer<Channel> {
  private final ClientContext context;

  ClientInboundStreams(ClientContext context) {
    this.context = context;
  }

  @Override
  protected void initChannel(Channel stream) {
    stream.config().setOption(ChannelOption.AUTO_READ, false);
    stream.pipeline().addLast("header", new StreamHeaderDecoder());
    stream.pipeline().addLast("connect", new LocalConnectHandler(context));
    stream.read();
  }
}
