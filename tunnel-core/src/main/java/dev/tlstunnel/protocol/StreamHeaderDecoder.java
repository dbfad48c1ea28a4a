package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import java.util.function.Function;

/**
 * Decodes the header at the start of a stream (a {@link StreamHeader} by default; {@link
 * StreamRequests} has the decoders of requests and replies), fires it as a message, then removes
 * itself so the bytes after it (already received or not) pass on unchanged. Oversized or malformed
 * headers raise a {@link io.netty.handler.codec.DecoderException}, after which input is discarded;
 * the caller closes the stream. One instance per stream.
 */
public final class StreamHeaderDecoder extends ByteToMessageDecoder {
  private final String what;
  private final Function<ByteBuf, Object> body;
  private boolean failed;

  /** A decoder of the {@link StreamHeader} of a server-opened stream. */
  public StreamHeaderDecoder() {
    this("stream header", StreamHeaderCodec::decodeBody);
  }

  StreamHeaderDecoder(String what, Function<ByteBuf, Object> body) {
    this.what = what;
    this.body = body;
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
      if (length == 0) {
        throw new CorruptedFrameException("empty " + what);
      }
      throw new TooLongFrameException(
          what + " is " + length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
    }
    if (in.readableBytes() < 2 + length) {
      return;
    }
    in.skipBytes(2);
    ByteBuf frame = in.readSlice(length);
    Object header;
    try {
      header = body.apply(frame);
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
