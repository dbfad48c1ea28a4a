package dev.tlstunnel.server;

import dev.tlstunnel.config.Durations;
import dev.tlstunnel.protocol.EgressRequest;
import dev.tlstunnel.protocol.StreamRefusal;
import dev.tlstunnel.protocol.StreamReply;
import dev.tlstunnel.protocol.StreamRequest;
import dev.tlstunnel.protocol.StreamRequests;
import dev.tlstunnel.protocol.VisitRequest;
import dev.tlstunnel.relay.Channels;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of every data stream a client opens (any client-opened stream after the control
 * stream): decodes its request header and hands the stream to the handler of the request's kind
 * ({@code visit}: {@link VisitHandler}, {@code egress}: {@link EgressStream}). The bytes behind the
 * header wait in a {@link HeldInput} until that handler relays them. A stream of an unknown kind,
 * with a malformed header, opened before the session authenticated or whose header does not arrive
 * within {@code handshake_timeout} is answered with a refusal and closed.
 */
final class ClientStreamRouter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientStreamRouter.class);

  /** The authenticated session of a tunnel channel. */
  static final AttributeKey<ServerSession> SESSION = AttributeKey.valueOf("tls-tunnel.session");

  private final ServerContext context;
  private final Channel tunnel;
  private boolean routed;
  private ScheduledFuture<?> deadline;

  private ClientStreamRouter(ServerContext context, Channel tunnel) {
    this.context = context;
    this.tunnel = tunnel;
  }

  /** Sets up a client-opened data stream of {@code tunnel}. */
  static void addTo(Channel stream, ServerContext context, Channel tunnel) {
    stream.config().setOption(ChannelOption.AUTO_READ, false);
    stream.pipeline().addLast("request", StreamRequests.requestDecoder());
    stream.pipeline().addLast("router", new ClientStreamRouter(context, tunnel));
    stream.read();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    long nanos = context.config.handshakeTimeout().toNanos();
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!routed) {
                    routed = true;
                    refuse(
                        ctx.channel(),
                        StreamRefusal.TIMEOUT,
                        "no stream request within handshake_timeout="
                            + Durations.format(context.config.handshakeTimeout()));
                  }
                },
                nanos,
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel(false);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.cancel(false);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    deadline.cancel(false);
    if (routed || !(msg instanceof StreamRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    routed = true;
    Channel stream = ctx.channel();
    ServerSession session = tunnel.attr(SESSION).get();
    if (session == null) {
      refuse(stream, StreamRefusal.NOT_AUTHENTICATED, "the session has not authenticated");
      return;
    }
    if (request instanceof VisitRequest visit) {
      ctx.pipeline().replace(this, HeldInput.NAME, new HeldInput());
      context.visits.open(session, stream, visit);
    } else if (request instanceof EgressRequest egress) {
      ctx.pipeline().replace(this, HeldInput.NAME, new HeldInput());
      new EgressStream(context, session.clientId(), egress).start(stream);
    } else {
      String kind = StreamRequests.kindOf(request);
      log.debug("[client={}] refusing a stream of unknown kind '{}'", session.clientId(), kind);
      refuse(stream, StreamRefusal.UNKNOWN_KIND, "unknown stream kind '" + kind + "'");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    deadline.cancel(false);
    if (routed) {
      ctx.close();
      return;
    }
    routed = true;
    context.logs.warn(
        log,
        "malformed-stream:" + ServerContext.host(tunnel),
        "{}: refusing a stream with a malformed request: {}",
        ServerContext.label(tunnel),
        cause.getMessage());
    refuse(ctx.channel(), StreamRefusal.MALFORMED, cause.getMessage());
  }

  /**
   * Answers {@code stream} with a refusal and closes it once the answer has gone out; what the
   * client sends meanwhile is read and dropped.
   */
  static void refuse(Channel stream, StreamRefusal reason, String message) {
    refuse(stream, reason.wireName(), message);
  }

  /** Like the other, with the reason's wire name (an egress failure's, for egress streams). */
  static void refuse(Channel stream, String reason, String message) {
    if (!stream.isActive()) {
      return;
    }
    String text = message != null && message.length() > 512 ? message.substring(0, 512) : message;
    stream.pipeline().addFirst("discard", new Discard());
    stream.config().setAutoRead(true);
    stream
        .writeAndFlush(StreamRequests.encode(stream.alloc(), StreamReply.refused(reason, text)))
        .addListener(f -> Channels.closeOnFlush(stream));
  }

  /** Drops everything a refused stream still reads. */
  private static final class Discard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
