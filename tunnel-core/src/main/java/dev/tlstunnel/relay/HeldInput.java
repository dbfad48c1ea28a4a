package dev.tlstunnel.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * What a stream received before its far side was connected: the bytes (bounded by the stream's
 * window) and whether its input already ended. Once connected, {@link #relayTo} writes the bytes
 * first, hands the stream from the holding handler to the relay and replays the end of input to it.
 * Confined to the stream's event loop.
 */
public final class HeldInput {
  private final Queue<Object> held = new ArrayDeque<>();
  private boolean inputShutdown;

  public void add(Object msg) {
    held.add(msg);
  }

  /** The stream's input ended before the relay was in place. */
  public void inputShutdown() {
    inputShutdown = true;
  }

  /**
   * Writes what was held to {@code target}, removes the holding handler ({@code holder}'s) from the
   * stream, links the stream and {@code target} with the relay and, when the stream's input had
   * ended, tells the relay.
   */
  public void relayTo(ChannelHandlerContext holder, Channel target) {
    Object msg;
    while ((msg = held.poll()) != null) {
      target.write(msg);
    }
    target.flush();
    Channel stream = holder.channel();
    holder.pipeline().remove(holder.handler());
    Relay.link(stream, target);
    if (inputShutdown) {
      stream.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }

  /** Releases what is held (the stream closed, or it is given up). */
  public void release() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
