package dev.tlstunnel.bind;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;

/** Bootstraps of the listeners whose every connection is relayed through the tunnel. */
public final class Listeners {
  private Listeners() {}

  /**
   * A listener on {@code loop} (its connections too, so their streams open on the tunnel's own
   * loop) whose connections start with auto-read off, without Nagle and with half-closure allowed,
   * as the relay needs them.
   */
  public static ServerBootstrap forRelay(
      EventLoop loop, Class<? extends ServerChannel> channelClass, ChannelHandler child) {
    return new ServerBootstrap()
        .group(loop)
        .channel(channelClass)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(child);
  }
}
