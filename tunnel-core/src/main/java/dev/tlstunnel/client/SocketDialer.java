package dev.tlstunnel.client;

import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

/**
 * The {@link LocalDialer} of real sockets. It connects with one {@link Bootstrap} per event loop,
 * built on the first stream of that loop (a client's streams all run on its tunnel's loop) rather
 * than once per stream.
 */
final class SocketDialer implements LocalDialer {
  private final Transport transport;
  private final int timeoutMillis;
  private volatile Bootstrap last;

  SocketDialer(Transport transport, int timeoutMillis) {
    this.transport = transport;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public LocalDialer reconfigured(ClientConfig next) {
    return LocalDialer.sockets(next, transport);
  }

  @Override
  public ChannelFuture dial(Channel stream, ProxyConfig proxy) {
    Bootstrap bootstrap = last;
    if (bootstrap == null || bootstrap.config().group() != stream.eventLoop()) {
      bootstrap = bootstrap(stream.eventLoop());
      last = bootstrap;
    }
    return bootstrap.connect(proxy.localAddr(), proxy.localPort());
  }

  private Bootstrap bootstrap(EventLoop loop) {
    return new Bootstrap()
        .group(loop)
        .channel(transport.socketChannelClass())
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
        .handler(NOTHING_YET);
  }

  private static final ChannelInitializer<Channel> NOTHING_YET = new NothingYet();

  /** Every local connection's first handler, shared: the relay handler is added once connected. */
  @ChannelHandler.Sharable
  private static final class NothingYet extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel ch) {
      // the relay handler is added once connected
    }
  }
}
