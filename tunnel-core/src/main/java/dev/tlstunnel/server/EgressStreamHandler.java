package dev.tlstunnel.server;

import dev.tlstunnel.egress.Addresses;
import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.egress.TargetResolver;
import dev.tlstunnel.protocol.EgressReply;
import dev.tlstunnel.protocol.EgressRequest;
import dev.tlstunnel.protocol.StreamFrames;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An egress stream: checks that the client may use egress, resolves the target once, checks every
 * address against the policy, connects exactly a checked address on the stream's event loop,
 * answers with an {@link EgressReply} and hands both channels to the relay. A refusal is answered
 * with its code and reason, logged once per client and reason kind (rate-limited), and the stream
 * is closed. Bytes that arrive before the answer are held and written first.
 */
final class EgressStreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(EgressStreamHandler.class);

  private final ServerContext context;
  private final String clientId;
  private final EgressRequest request;
  private final HeldInput early = new HeldInput();
  private boolean closed;

  EgressStreamHandler(ServerContext context, String clientId, EgressRequest request) {
    this.context = context;
    this.clientId = clientId;
    this.request = request;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    EgressPolicy policy;
    try {
      policy = context.egress.policyFor(clientId);
      checkTarget();
    } catch (EgressException e) {
      refuse(ctx, e);
      return;
    }
    context.egress.resolver.resolve(
        request.host(),
        request.port(),
        policy,
        result -> ctx.executor().execute(() -> onResolved(ctx, result)));
  }

  private void checkTarget() throws EgressException {
    String host = request.host();
    if (host == null || host.isBlank() || host.length() > 255) {
      throw new EgressException(EgressFailure.FAILED, "egress request without a valid host");
    }
    if (request.port() < 1 || request.port() > 65535) {
      throw new EgressException(EgressFailure.FAILED, "egress request port out of range");
    }
  }

  private void onResolved(ChannelHandlerContext ctx, TargetResolver.Result result) {
    if (closed) {
      return;
    }
    if (!result.ok()) {
      refuse(ctx, result.failure());
      return;
    }
    context
        .egress
        .dialer
        .dial(ctx.channel().eventLoop(), result.addresses())
        .addListener(
            f -> {
              if (f.isSuccess()) {
                onConnected(ctx, (Channel) f.getNow());
              } else {
                refuse(ctx, (EgressException) f.cause());
              }
            });
  }

  private void onConnected(ChannelHandlerContext ctx, Channel outbound) {
    if (closed || !ctx.channel().isActive()) {
      outbound.close();
      return;
    }
    Channel stream = ctx.channel();
    InetSocketAddress remote = (InetSocketAddress) outbound.remoteAddress();
    log.debug(
        "[client={}] egress to {}:{} connected to {}",
        clientId,
        request.host(),
        request.port(),
        remote);
    stream.write(
        StreamFrames.encode(
            stream.alloc(), EgressReply.connected(Addresses.text(remote.getAddress()))));
    stream.flush();
    early.relayTo(ctx, outbound);
  }

  private void refuse(ChannelHandlerContext ctx, EgressException e) {
    if (closed) {
      return;
    }
    context.logs.warn(
        log,
        "egress-" + clientId + "-" + e.failure(),
        "[client={}] egress to {}:{} refused: {}",
        clientId,
        request.host(),
        request.port(),
        e.getMessage());
    ctx.writeAndFlush(
            StreamFrames.encode(
                ctx.alloc(), EgressReply.refused(e.failure().wireName(), e.getMessage())))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    early.add(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      early.inputShutdown(); // replayed to the relay once connected
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    early.release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    early.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("[client={}] egress stream failed: {}", clientId, cause.toString());
    ctx.close();
  }
}
