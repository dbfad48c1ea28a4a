package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Encodes {@link YamuxFrame}s: the 12-byte header is written as its own small buffer and a data
 * payload follows as is, without copying. Other messages pass through.
 */
@Sharable
final class YamuxFrameEncoder extends ChannelOutboundHandlerAdapter {
  static final YamuxFrameEncoder INSTANCE = new YamuxFrameEncoder();

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof YamuxFrame)) {
      ctx.write(msg, promise);
      return;
    }
    YamuxFrame frame = (YamuxFrame) msg;
    ByteBuf header = ctx.alloc().buffer(YamuxFrame.HEADER_SIZE);
    header
        .writeByte(YamuxFrame.VERSION)
        .writeByte(frame.type())
        .writeShort(frame.flags())
        .writeInt(frame.streamId())
        .writeInt(frame.length());
    ByteBuf payload = frame.content();
    if (!payload.isReadable()) {
      frame.release();
      ctx.write(header, promise);
      return;
    }
    ctx.write(header, ctx.voidPromise());
    ctx.write(payload, promise);
  }
}
