package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Decodes the {@link StreamHeader} at the start of a server-opened stream, fires it as a message,
 * then removes itself so the bytes after it (already received or not) pass on unchanged. Oversized
 * or malformed headers raise a {@link io.netty.handler.codec.DecoderException}, after which input
 * is discarded; the caller closes the stream. One instance per stream.
 */
public final class StreamHeaderDecoder extends ByteToMessageDecoder {
  private boolean failed;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < 2) {
      return;
    }
    int length = in.getUnsignedShort(in.readerIndex());
    if (length == 0 || length > Protocol.MAX_STREAM_HEADER) {
      fail(in);
      if (length == 0) {
        throw new CorruptedFrameException("empty stream header");
      }
      throw new TooLongFrameException(
          "stream header is " + length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
    }
    if (in.readableBytes() < 2 + length) {
      return;
    }
    in.skipBytes(2);
    ByteBuf body = in.readSlice(length);
    StreamHeader header;
    try {
      header = StreamHeaderCodec.decodeBody(body);
    } catch (RuntimeException e) {
      fail(in);
      throw e;
    }
    out.add(header);
    ctx.pipeline().remove(this);
  }

  private void fail(ByteBuf in) {
    failed = true;
    in.skipBytes(in.readableBytes());
  }
}
