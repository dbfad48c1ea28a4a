package dev.tlstunnel.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;

/**
 * A listening socket on 127.0.0.1 (port 0) of a given transport whose accepted connections run with
 * auto-read off, as every relay does, each with {@code child} as its handler.
 */
final class AutoReadOffServer {
  private AutoReadOffServer() {}

  /** The bound listening channel; {@code halfClosure} sets ALLOW_HALF_CLOSURE on accepted ones. */
  static Channel bind(
      Transport transport, EventLoopGroup group, ChannelHandler child, boolean halfClosure)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannelClass())
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
        .childHandler(child)
        .bind("127.0.0.1", 0)
        .sync()
        .channel();
  }

  /** The port {@code server} listens on. */
  static int port(Channel server) {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }
}
