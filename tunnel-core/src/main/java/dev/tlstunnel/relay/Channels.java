package dev.tlstunnel.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** Small channel helpers shared by every relay. */
public final class Channels {
  private Channels() {}

  /** Closes {@code channel} once everything written so far has been flushed. */
  public static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else if (channel.isOpen()) {
      channel.close();
    }
  }
}
