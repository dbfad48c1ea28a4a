package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Decodes yamux frames. Data payloads are emitted as retained slices of the input (no copy). A
 * malformed header (version other than 0, unknown type, data length above the largest receive
 * window, named after its configuration key) raises a {@link CorruptedFrameException} once; all
 * input after it is discarded.
 */
final class YamuxFrameDecoder extends ByteToMessageDecoder {
  private final int maxDataLength;
  private final String boundName;
  private boolean failed;

  YamuxFrameDecoder(int maxDataLength) {
    this(maxDataLength, YamuxConfig.LimitNames.YAMUX.maxReceiveWindow());
  }

  /**
   * @param maxDataLength the largest data frame accepted
   * @param boundName the name of that bound in the error message
   */
  YamuxFrameDecoder(int maxDataLength, String boundName) {
    this.maxDataLength = maxDataLength;
    this.boundName = boundName;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < YamuxFrame.HEADER_SIZE) {
      return;
    }
    int start = in.readerIndex();
    byte version = in.getByte(start);
    byte type = in.getByte(start + 1);
    short flags = in.getShort(start + 2);
    int streamId = in.getInt(start + 4);
    int length = in.getInt(start + 8);
    if (version != YamuxFrame.VERSION) {
      throw fail(new CorruptedFrameException("unsupported yamux version " + version), in);
    }
    if (type < YamuxFrame.TYPE_DATA || type > YamuxFrame.TYPE_GO_AWAY) {
      throw fail(new CorruptedFrameException("unknown yamux frame type " + type), in);
    }
    if (type != YamuxFrame.TYPE_DATA) {
      in.skipBytes(YamuxFrame.HEADER_SIZE);
      out.add(YamuxFrame.control(type, flags, streamId, length));
      return;
    }
    if (length < 0 || length > maxDataLength) {
      throw fail(
          new TooLongFrameException(
              "yamux data frame of "
                  + Integer.toUnsignedString(length)
                  + " bytes on stream "
                  + Integer.toUnsignedString(streamId)
                  + " exceeds limit "
                  + boundName
                  + "="
                  + maxDataLength),
          in);
    }
    if (in.readableBytes() < YamuxFrame.HEADER_SIZE + length) {
      return;
    }
    in.skipBytes(YamuxFrame.HEADER_SIZE);
    out.add(YamuxFrame.data(flags, streamId, in.readRetainedSlice(length)));
  }

  private RuntimeException fail(RuntimeException e, ByteBuf in) {
    failed = true;
    in.skipBytes(in.readableBytes());
    return e;
  }
}
