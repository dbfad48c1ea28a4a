package dev.tlstunnel.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;

/**
 * Holds what a channel reads, and its end of input, while the other side of its relay is still
 * being set up (e.g. the bytes that arrived behind a stream's header). {@link #relay} hands them on
 * and starts the relay. What it holds is bounded by what one read delivers: the channel's auto-read
 * is off and nobody asks it to read again before the relay starts; on io_uring, Netty 4.2.18 also
 * reads unasked once the peer has ended its output, until the socket is drained, so a connection
 * that sends and half-closes at once delivers what it sent (at most its receive buffer) and its end
 * of input before the relay asks for anything. Released if the channel closes first.
 */
public final class HeldInput extends ChannelInboundHandlerAdapter {
  /** The name of the holder in the pipeline. */
  public static final String NAME = "held-input";

  private final Queue<Object> held = new ArrayDeque<>();
  private boolean inputShutdown;

  /** Adds a holder at the end of {@code ch}'s pipeline unless it has one. */
  public static void install(Channel ch) {
    if (ch.pipeline().get(HeldInput.class) == null) {
      ch.pipeline().addLast(NAME, new HeldInput());
    }
  }

  /**
   * Writes what {@code ch} holds to {@code peer}, removes the holder and links the two with {@link
   * Relay#link}; an end of input seen meanwhile reaches the relay right after. Runs on {@code ch}'s
   * event loop, called there or not ({@code peer} may live on another): the holder is filled on
   * that loop, and on io_uring it may be filled at any time, so emptying it from another thread
   * would lose what arrives meanwhile.
   */
  public static void relay(Channel ch, Channel peer) {
    if (!ch.eventLoop().inEventLoop()) {
      try {
        ch.eventLoop().execute(() -> relay(ch, peer));
      } catch (RejectedExecutionException e) {
        ch.close();
        peer.close();
      }
      return;
    }
    if (!ch.isActive()) {
      // closed before the relay could start (its end was not seen by a relay): the peer goes too
      peer.close();
      return;
    }
    HeldInput holder = ch.pipeline().get(HeldInput.class);
    boolean ended = false;
    if (holder != null) {
      Object msg;
      while ((msg = holder.held.poll()) != null) {
        peer.write(msg, peer.voidPromise());
      }
      peer.flush();
      ended = holder.inputShutdown;
      ch.pipeline().remove(holder);
    }
    Relay.link(ch, peer);
    if (ended) {
      ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    held.add(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
