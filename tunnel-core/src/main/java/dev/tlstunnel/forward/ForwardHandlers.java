package dev.tlstunnel.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The small handlers every forwarder connection has. */
final class ForwardHandlers {
  private ForwardHandlers() {}

  /** Fired by a front end once the proxy request is answered and the relay runs. */
  static final Object HANDSHAKE_DONE = new Object();

  /** Counts the bytes of an application connection, and the connection while it is open. */
  static final class Counter extends ChannelDuplexHandler {
    private final ForwarderStats stats;

    Counter(ForwarderStats stats) {
      this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      stats.bytesIn.add(size(msg));
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      stats.bytesOut.add(size(msg));
      ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stats.active.decrementAndGet();
      ctx.fireChannelInactive();
    }

    private static long size(Object msg) {
      if (msg instanceof ByteBuf b) {
        return b.readableBytes();
      }
      return msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
    }
  }

  /**
   * Closes the connection when the proxy handshake (request, authentication, connect) is not done
   * within the timeout; removes itself on {@link #HANDSHAKE_DONE}.
   */
  static final class HandshakeDeadline extends ChannelInboundHandlerAdapter {
    private final Duration timeout;
    private ScheduledFuture<?> timer;

    HandshakeDeadline(Duration timeout) {
      this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      timer = ctx.executor().schedule(() -> ctx.close(), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == HANDSHAKE_DONE) {
        ctx.pipeline().remove(this);
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      timer.cancel(false);
    }
  }

  /** Closes the connection on the idle event of the {@code IdleStateHandler} before it. */
  static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
