package dev.tlstunnel.mux;

import dev.tlstunnel.testing.DelayLink;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A yamux session over real loopback TCP: our client against our server. */
final class LoopbackSession implements AutoCloseable {
  final Channel listener;
  final Channel clientParent;
  final Channel serverParent;
  final YamuxMultiplexHandler client;
  final YamuxMultiplexHandler server;
  private final DelayLink link;

  private LoopbackSession(
      Channel listener, Channel clientParent, Channel serverParent, DelayLink link) {
    this.link = link;
    this.listener = listener;
    this.clientParent = clientParent;
    this.serverParent = serverParent;
    this.client = YamuxMultiplexHandler.get(clientParent);
    this.server = YamuxMultiplexHandler.get(serverParent);
  }

  static LoopbackSession open(
      EventLoopGroup group,
      YamuxConfig serverConfig,
      ChannelHandler serverInbound,
      YamuxConfig clientConfig,
      ChannelHandler clientInbound)
      throws Exception {
    return open(group, serverConfig, serverInbound, clientConfig, clientInbound, -1);
  }

  /**
   * Like {@link #open(EventLoopGroup, YamuxConfig, ChannelHandler, YamuxConfig, ChannelHandler)},
   * with the tunnel running through a {@link DelayLink} that delays each direction by {@code
   * delayMillis} (none when negative).
   */
  static LoopbackSession open(
      EventLoopGroup group,
      YamuxConfig serverConfig,
      ChannelHandler serverInbound,
      YamuxConfig clientConfig,
      ChannelHandler clientInbound,
      long delayMillis)
      throws Exception {
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    Channel listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    YamuxMultiplexHandler.addTo(ch.pipeline(), serverConfig, false, serverInbound);
                    accepted.complete(ch);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    int port = ((InetSocketAddress) listener.localAddress()).getPort();
    DelayLink link = delayMillis < 0 ? null : new DelayLink(port, delayMillis);
    Channel clientParent =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    YamuxMultiplexHandler.addTo(ch.pipeline(), clientConfig, true, clientInbound);
                  }
                })
            .connect(new InetSocketAddress("127.0.0.1", link == null ? port : link.port()))
            .sync()
            .channel();
    Channel serverParent = accepted.get(5, TimeUnit.SECONDS);
    return new LoopbackSession(listener, clientParent, serverParent, link);
  }

  static LoopbackSession open(
      EventLoopGroup group, ChannelHandler serverIn, ChannelHandler clientIn) throws Exception {
    return open(group, YamuxConfig.defaults(), serverIn, YamuxConfig.defaults(), clientIn);
  }

  @Override
  public void close() {
    clientParent.close().syncUninterruptibly();
    serverParent.close().syncUninterruptibly();
    listener.close().syncUninterruptibly();
    if (link != null) {
      try {
        link.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
