package dev.tlstunnel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells cleartext HTTP/2 with prior knowledge (what a reverse proxy speaks to an h2c upstream) from
 * HTTP/1.1 by the first bytes, then replaces itself with the matching handlers.
 */
final class H2cPrefaceSniffer extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final Consumer<ChannelHandlerContext> http2;
  private final Consumer<ChannelHandlerContext> http1;

  H2cPrefaceSniffer(Consumer<ChannelHandlerContext> http2, Consumer<ChannelHandlerContext> http1) {
    this.http2 = http2;
    this.http1 = http1;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
    if (prefix && n < PREFACE.readableBytes()) {
      return;
    }
    (prefix ? http2 : http1).accept(ctx);
    ctx.pipeline().remove(this);
  }
}
