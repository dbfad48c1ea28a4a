package dev.tlstunnel.transport;

import static dev.tlstunnel.common.Errors.rootMessage;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP transport's connection until the tunnel's byte stream is ready:
 * closes the connection when it is not ready within the deadline (TLS, the request and the upgrade
 * together, whatever the peer sends or withholds), reports a failed TLS handshake once and closes
 * on any failure. Removed when the byte stream is ready.
 */
final class SetupTail extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SetupTail.class);

  /** The handler's name in the pipeline. */
  static final String NAME = "setup-tail";

  private final ViolationLog violations;
  private final Promise<Void> ready;
  private final Duration deadline;
  private ScheduledFuture<?> timer;

  /**
   * @param violations where a failed TLS handshake is reported, or null
   * @param ready failed with any exception that reaches this handler, or null
   * @param deadline how long the connection may take to become ready, or null for no limit
   */
  SetupTail(ViolationLog violations, Promise<Void> ready, Duration deadline) {
    this.violations = violations;
    this.ready = ready;
    this.deadline = deadline;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (deadline != null) {
      timer = ctx.executor().schedule(() -> ctx.close(), deadline.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** Adds {@code handler} before the setup tail, or last when there is none. */
  static void addBefore(ChannelPipeline p, String name, ChannelHandler handler) {
    if (p.get(NAME) != null) {
      p.addBefore(NAME, name, handler);
    } else {
      p.addLast(name, handler);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done
        && !done.isSuccess()
        && violations != null) {
      violations.violation(
          ctx.channel(),
          "TLS handshake failed: "
              + (done.cause() instanceof SslHandshakeTimeoutException
                  ? "timed out"
                  : rootMessage(done.cause())));
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ready != null) {
      ready.tryFailure(cause);
    }
    if (!(cause instanceof IOException)) {
      log.debug("Tunnel connection {} failed during setup: {}", ctx.channel(), cause.toString());
    }
    ctx.close();
  }
}
