package dev.tlstunnel.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import java.util.function.Function;

/**
 * Decodes the one {@link StreamFrames} frame at the start of a stream, converts it with {@code
 * convert}, fires the result, then removes itself so the bytes after it pass on unchanged. Empty,
 * oversized or malformed frames raise a {@link io.netty.handler.codec.DecoderException}; input
 * after that is discarded and the caller closes the stream. One instance per stream.
 */
public final class StreamFrameDecoder extends ByteToMessageDecoder {
  private final String what;
  private final Function<ObjectNode, Object> convert;
  private boolean failed;

  /**
   * @param what names the frame in errors, e.g. {@code "egress reply"}
   * @param convert maps the parsed object to the message fired; throws a {@link
   *     io.netty.handler.codec.DecoderException} when it does not fit
   */
  public StreamFrameDecoder(String what, Function<ObjectNode, Object> convert) {
    this.what = what;
    this.convert = convert;
  }

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
      throw length == 0
          ? new CorruptedFrameException("empty " + what)
          : new TooLongFrameException(
              what + " is " + length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
    }
    if (in.readableBytes() < 2 + length) {
      return;
    }
    in.skipBytes(2);
    Object message;
    try {
      message = convert.apply(StreamFrames.parse(in.readSlice(length), what));
    } catch (RuntimeException e) {
      fail(in);
      throw e;
    }
    out.add(message);
    ctx.pipeline().remove(this);
  }

  private void fail(ByteBuf in) {
    failed = true;
    in.skipBytes(in.readableBytes());
  }
}
