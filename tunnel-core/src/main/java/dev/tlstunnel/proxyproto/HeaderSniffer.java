package dev.tlstunnel.proxyproto;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * First on a connection from a trusted source: collects its first bytes until they show a PROXY
 * protocol header or rule one out. A header goes to Netty's {@link HAProxyMessageDecoder}, placed
 * behind this handler; anything else goes straight to the {@link HeaderSink}. Either way it then
 * leaves the pipeline.
 */
final class HeaderSniffer extends ChannelInboundHandlerAdapter {
  private final HeaderSink sink;
  private ByteBuf seen;

  HeaderSniffer(HeaderSink sink) {
    this.sink = sink;
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
      case MORE -> sink.needMore(ctx);
      case HEADER -> {
        ctx.pipeline()
            .addAfter(ctx.name(), InboundProxyProtocol.DECODER, new HAProxyMessageDecoder());
        pass(ctx);
      }
      case NONE -> {
        sink.noHeader(ctx);
        pass(ctx);
      }
    }
  }

  private void pass(ChannelHandlerContext ctx) {
    ByteBuf bytes = seen;
    seen = null;
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(bytes);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    ReferenceCountUtil.release(seen);
    seen = null;
  }
}
