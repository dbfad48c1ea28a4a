package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Encodes {@link YamuxFrame}s. A payload of up to {@link #COPY_LIMIT} bytes is copied behind its
 * 12-byte header into one buffer (one buffer for the TLS layer instead of two, cheaper than the
 * extra buffer's bookkeeping); a larger payload follows its own header buffer as is, without
 * copying. Other messages pass through.
 */
@Sharable
final class YamuxFrameEncoder extends ChannelOutboundHandlerAdapter {
  static final YamuxFrameEncoder INSTANCE = new YamuxFrameEncoder();

  /** Payloads up to this size are copied into the header's buffer. */
  static final int COPY_LIMIT = 2048;

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof YamuxFrame)) {
      ctx.write(msg, promise);
      return;
    }
    YamuxFrame frame = (YamuxFrame) msg;
    ByteBuf payload = frame.content();
    int size = payload.readableBytes();
    boolean copy = size <= COPY_LIMIT;
    ByteBuf header = ctx.alloc().buffer(YamuxFrame.HEADER_SIZE + (copy ? size : 0));
    header
        .writeByte(YamuxFrame.VERSION)
        .writeByte(frame.type())
        .writeShort(frame.flags())
        .writeInt(frame.streamId())
        .writeInt(frame.length());
    if (copy) {
      header.writeBytes(payload, payload.readerIndex(), size);
      frame.release();
      ctx.write(header, promise);
      return;
    }
    ctx.write(header, ctx.voidPromise());
    ctx.write(payload, promise);
  }
}
