package dev.tlstunnel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket frames to bytes and back, below yamux: each written buffer leaves as one binary frame;
 * the payload of every binary or continuation frame is passed up as bytes. Pings are answered
 * (unless the connection is not writable: then a newer ping will be), and this side pings every
 * {@code pingInterval} when that is positive. A text frame, or a fragmented message longer than
 * {@link #MAX_MESSAGE}, is a violation: close frame, connection closed, reported once. Netty's
 * decoder bounds each frame at {@link #MAX_MESSAGE} and rejects malformed framing the same way.
 */
final class WsFrameAdapter extends ChannelDuplexHandler {
  /** The largest frame, and the largest fragmented message, accepted: 1 MiB. */
  static final int MAX_MESSAGE = 1024 * 1024;

  private final Duration pingInterval;
  private final ViolationLog violations;
  private ScheduledFuture<?> pinger;
  private long fragmentedBytes = -1;
  private boolean closeSent;
  private boolean reported;

  WsFrameAdapter(Duration pingInterval, ViolationLog violations) {
    this.pingInterval = pingInterval;
    this.violations = violations;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (pingInterval != null && !pingInterval.isZero() && !pingInterval.isNegative()) {
      long nanos = pingInterval.toNanos();
      pinger =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> ctx.writeAndFlush(new PingWebSocketFrame()),
                  nanos,
                  nanos,
                  TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (pinger != null) {
      pinger.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handlerRemoved(ctx);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
      data(ctx, frame);
    } else if (frame instanceof PingWebSocketFrame) {
      if (ctx.channel().isWritable() && !closeSent) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
      } else {
        frame.release();
      }
    } else if (frame instanceof CloseWebSocketFrame) {
      frame.release();
      closeQuietly(ctx, WebSocketCloseStatus.NORMAL_CLOSURE);
    } else if (frame instanceof PongWebSocketFrame) {
      frame.release();
    } else {
      frame.release();
      violation(
          ctx,
          WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
          "sent a WebSocket text frame (the tunnel accepts binary frames only)");
    }
  }

  private void data(ChannelHandlerContext ctx, WebSocketFrame frame) {
    boolean continuation = frame instanceof ContinuationWebSocketFrame;
    if (continuation || !frame.isFinalFragment()) {
      fragmentedBytes = (continuation ? fragmentedBytes : 0) + frame.content().readableBytes();
      if (fragmentedBytes > MAX_MESSAGE) {
        frame.release();
        violation(
            ctx,
            WebSocketCloseStatus.MESSAGE_TOO_BIG,
            "sent a fragmented WebSocket message longer than " + MAX_MESSAGE + " bytes");
        return;
      }
      if (frame.isFinalFragment()) {
        fragmentedBytes = -1;
      }
    }
    ByteBuf content = frame.content();
    if (content.isReadable() && !closeSent) {
      ctx.fireChannelRead(content);
    } else {
      content.release();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      ctx.write(new BinaryWebSocketFrame(buf), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException) {
      // Netty's decoder has already sent its close frame (1002 or 1009).
      closeSent = true;
      violation(ctx, null, "broke WebSocket framing: " + cause.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void violation(ChannelHandlerContext ctx, WebSocketCloseStatus status, String what) {
    if (reported) {
      return;
    }
    reported = true;
    violations.violation(ctx.channel(), what);
    if (status == null) {
      ctx.close();
    } else {
      closeQuietly(ctx, status);
    }
  }

  private void closeQuietly(ChannelHandlerContext ctx, WebSocketCloseStatus status) {
    if (closeSent) {
      ctx.close();
      return;
    }
    closeSent = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(status)).addListener(ChannelFutureListener.CLOSE);
  }
}
