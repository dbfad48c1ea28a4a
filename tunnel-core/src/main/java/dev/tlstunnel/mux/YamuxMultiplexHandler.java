package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;

/**
 * The yamux session on a tunnel channel. Sits after the frame codec; creates one child channel per
 * stream. Child channels run on the parent's event loop, start with the parent's allocator and
 * honour auto-read, writability and {@code shutdownOutput()} (FIN).
 */
public final class YamuxMultiplexHandler extends ChannelDuplexHandler {

  /**
   * @param config session tuning
   * @param client true on the side that dialed the connection (opens odd stream ids)
   * @param inboundStreamInitializer added to the pipeline of every stream the peer opens
   */
  public YamuxMultiplexHandler(
      YamuxConfig config, boolean client, ChannelHandler inboundStreamInitializer) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Adds the frame codec and a multiplex handler to a tunnel pipeline. */
  public static void addTo(
      io.netty.channel.ChannelPipeline pipeline,
      YamuxConfig config,
      boolean client,
      ChannelHandler inboundStreamInitializer) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The multiplex handler of a tunnel channel. */
  public static YamuxMultiplexHandler get(Channel tunnel) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Opens a stream. The initializer is added to the child pipeline before it is registered; the
   * future completes with the child channel once the SYN was written, or fails if the session is
   * closed, going away or at its stream limit. May be called from any thread.
   */
  public Future<Channel> openStream(ChannelHandler initializer) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Sends a ping; the future completes with the round-trip time in nanoseconds. */
  public Future<Long> ping() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Sends go-away with the given code (0 normal, 1 protocol error, 2 internal error). */
  public void goAway(int code) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Streams open right now. */
  public int streamCount() {
    throw new UnsupportedOperationException("not yet");
  }
}
