package dev.tlstunnel.proxyproto;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * {@code proxy_protocol = "reject"}: closes a connection whose first bytes are a PROXY protocol
 * header, and otherwise passes them on and leaves. It holds back at most the few bytes that cannot
 * tell yet, and delays nothing else: the connection is set up as usual behind it.
 */
final class HeaderRejecter extends ChannelInboundHandlerAdapter {
  private final InboundProxyProtocol.Refusals refusals;
  private ByteBuf seen;

  HeaderRejecter(InboundProxyProtocol.Refusals refusals) {
    this.refusals = refusals;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf bytes)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (seen == null) {
      seen = bytes;
    } else {
      ByteBuf joined = ctx.alloc().buffer(seen.readableBytes() + bytes.readableBytes());
      joined.writeBytes(seen).writeBytes(bytes);
      seen.release();
      bytes.release();
      seen = joined;
    }
    switch (HeaderPrefix.of(seen)) {
      case MORE -> {
        // the next handlers asked for bytes and got none yet: ask for more on their behalf
        if (!ctx.channel().config().isAutoRead()) {
          ctx.read();
        }
      }
      case HEADER -> {
        seen.release();
        seen = null;
        refusals.refused(
            ctx.channel(),
            "it starts with a PROXY protocol header and server.proxy_protocol is \"reject\"");
        ctx.close();
      }
      case NONE -> {
        ByteBuf bytesSeen = seen;
        seen = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytesSeen);
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (seen == null) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ReferenceCountUtil.release(seen);
    seen = null;
  }
}
