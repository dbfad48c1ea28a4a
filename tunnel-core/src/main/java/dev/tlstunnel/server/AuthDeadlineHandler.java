package dev.tlstunnel.server;

import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a tunnel connection whose client has not authenticated within the deadline (TLS handshake
 * included). Removes itself when {@link SessionAuthenticated} passes by.
 */
final class AuthDeadlineHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AuthDeadlineHandler.class);

  private final long timeoutMillis;
  private final RateLimitedLog logs;
  private ScheduledFuture<?> deadline;

  AuthDeadlineHandler(long timeoutMillis) {
    this(timeoutMillis, new RateLimitedLog(0, 1, System::nanoTime));
  }

  AuthDeadlineHandler(long timeoutMillis, RateLimitedLog logs) {
    this.timeoutMillis = timeoutMillis;
    this.logs = logs;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  logs.warn(
                      log,
                      "deadline:" + ServerContext.host(ctx.channel()),
                      "Closing connection from {}: limit handshake_timeout={}ms reached before"
                          + " authentication",
                      PeerAddress.of(ctx.channel()),
                      timeoutMillis);
                  ctx.channel().close();
                },
                timeoutMillis,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == SessionAuthenticated.INSTANCE) {
      ctx.pipeline().remove(this);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
