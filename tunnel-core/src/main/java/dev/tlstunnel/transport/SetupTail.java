package dev.tlstunnel.transport;

import static dev.tlstunnel.Errors.rootMessage;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP transport's connection until the tunnel's byte stream is ready:
 * reports a failed TLS handshake once and closes on any failure.
 */
final class SetupTail extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SetupTail.class);

  /** The handler's name in the pipeline. */
  static final String NAME = "setup-tail";

  private final ViolationLog violations;
  private final Promise<Void> ready;

  /**
   * @param violations where a failed TLS handshake is reported, or null
   * @param ready failed with any exception that reaches this handler, or null
   */
  SetupTail(ViolationLog violations, Promise<Void> ready) {
    this.violations = violations;
    this.ready = ready;
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
