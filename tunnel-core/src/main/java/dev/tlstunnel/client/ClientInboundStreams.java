package dev.tlstunnel.client;

import dev.tlstunnel.protocol.StreamHeaderDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import java.util.function.Supplier;

/**
 * Sets up every stream the server opens: header decoder, then the local connect, with the session's
 * context at that moment (a reload may change it). Each stream joins the session's group of data
 * streams (a graceful shutdown waits for them).
 */
@ChannelHandler.Sharable
final class ClientInboundStreams extends ChannelInitializer<Channel> {
  private final Supplier<ClientContext> context;
  private final ChannelGroup dataStreams;

  ClientInboundStreams(Supplier<ClientContext> context, ChannelGroup dataStreams) {
    this.context = context;
    this.dataStreams = dataStreams;
  }

  @Override
  protected void initChannel(Channel stream) {
    dataStreams.add(stream);
    stream.config().setOption(ChannelOption.AUTO_READ, false);
    stream.pipeline().addLast("header", new StreamHeaderDecoder());
    stream.pipeline().addLast("connect", new LocalConnectHandler(context.get()));
    stream.read();
  }
}
