package dev.tlstunnel.forward;

import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.protocol.StreamReply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Waits for the server's {@link StreamReply} on an egress stream and completes the promise with the
 * stream (connected) or an {@link EgressException} (refused, or the stream ended first). Bytes that
 * follow the reply are held until this handler is removed, then passed on: remove it once the relay
 * is in place.
 */
final class EgressReplyHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "egress-reply";

  private final Promise<Channel> promise;
  private final Queue<Object> held = new ArrayDeque<>();

  EgressReplyHandler(Promise<Channel> promise) {
    this.promise = promise;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (promise.isDone()) {
      held.add(msg);
      return;
    }
    if (!(msg instanceof StreamReply reply)) {
      ReferenceCountUtil.release(msg);
      fail(ctx, EgressFailure.FAILED, "the server sent no egress reply");
      return;
    }
    if (reply.ok()) {
      promise.trySuccess(ctx.channel());
    } else {
      fail(ctx, EgressFailure.fromWire(reply.reason()), "server: " + reply.message());
    }
  }

  private void fail(ChannelHandlerContext ctx, EgressFailure kind, String message) {
    promise.tryFailure(new EgressException(kind, message));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    promise.tryFailure(
        new EgressException(
            EgressFailure.TUNNEL_UNAVAILABLE, "the tunnel closed the stream before answering"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, EgressFailure.FAILED, "bad egress reply: " + cause.getMessage());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    boolean any = !held.isEmpty();
    Object msg;
    while ((msg = held.poll()) != null) {
      ctx.fireChannelRead(msg);
    }
    if (any) {
      ctx.fireChannelReadComplete();
    }
  }
}
