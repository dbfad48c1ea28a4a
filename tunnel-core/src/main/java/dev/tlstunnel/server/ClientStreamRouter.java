package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ClientStreamRequest;
import dev.tlstunnel.protocol.EgressRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a data stream the client opened: takes the decoded {@link
 * ClientStreamRequest} and hands the stream to the handler of its kind, which replaces this one. A
 * stream of an unauthenticated tunnel, of an unknown kind, or whose request does not decode is
 * closed.
 */
final class ClientStreamRouter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientStreamRouter.class);

  private final ServerContext context;
  private final Channel tunnel;
  private ScheduledFuture<?> deadline;

  ClientStreamRouter(ServerContext context, Channel tunnel) {
    this.context = context;
    this.tunnel = tunnel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  log.debug("{}: no client stream request in time", ServerContext.label(tunnel));
                  ctx.close();
                },
                context.config.handshakeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    deadline.cancel(false);
    if (!(msg instanceof ClientStreamRequest request)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    String clientId = tunnel.attr(ServerContext.CLIENT_ID).get();
    if (clientId == null) {
      log.debug(
          "{}: closing a data stream opened before authentication", ServerContext.label(tunnel));
      ctx.close();
      return;
    }
    switch (request.kind()) {
      case EgressRequest.KIND ->
          ctx.pipeline()
              .replace(
                  this,
                  "egress",
                  new EgressStreamHandler(context, clientId, request.as(EgressRequest.class)));
      default -> {
        log.debug(
            "{}: closing a stream of unknown kind '{}'",
            ServerContext.label(tunnel),
            request.kind());
        ctx.close();
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: bad client stream request: {}", ServerContext.label(tunnel), cause.getMessage());
    ctx.close();
  }
}
