package dev.tlstunnel.visitor;

import dev.tlstunnel.protocol.StreamReply;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Reads the server's reply at the start of a visit stream: when accepted it steps aside and the
 * target's bytes flow to the local connection; when refused it records the reason and closes the
 * stream and the local connection at once.
 */
final class VisitReplyHandler extends ChannelInboundHandlerAdapter {
  private final Visitor visitor;
  private final Channel local;
  private boolean answered;

  VisitReplyHandler(Visitor visitor, Channel local) {
    this.visitor = visitor;
    this.local = local;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (answered || !(msg instanceof StreamReply reply)) {
      ctx.fireChannelRead(msg);
      return;
    }
    answered = true;
    if (reply.ok()) {
      visitor.accepted();
      ctx.pipeline().remove(this);
      return;
    }
    String reason = reply.reason() == null ? "refused" : reply.reason();
    String message = reply.message() == null ? "refused by the server" : reply.message();
    visitor.refused(reason, message + " (" + reason + ")");
    local.close();
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!answered) {
      answered = true;
      visitor.refused("closed", "the server closed the stream before answering");
      local.close();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!answered) {
      answered = true;
      visitor.refused("malformed", "unreadable reply from the server: " + cause.getMessage());
    }
    local.close();
    ctx.close();
  }
}
