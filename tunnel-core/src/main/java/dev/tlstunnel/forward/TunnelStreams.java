package dev.tlstunnel.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;

/** Opens data streams on the client's current tunnel session. */
public interface TunnelStreams {
  /**
   * Opens a stream set up by {@code initializer}; the future fails at once when the client has no
   * authenticated session.
   */
  Future<Channel> open(ChannelHandler initializer);
}
