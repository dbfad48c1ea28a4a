package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.ByteOrder;

/**
 * The control stream's length framing (4-byte big-endian length, stripped). A length above the
 * bound fails at once, before the frame arrives, with a {@link TooLongFrameException} whose message
 * names the bound: {@code limit max_control_frame=4096 exceeded by a control frame of 5000 bytes}.
 */
final class ControlFrameDecoder extends LengthFieldBasedFrameDecoder {
  private final int maxFrame;
  private final String boundName;
  private long lastLength;

  ControlFrameDecoder(int maxFrame, String boundName) {
    super(maxFrame + 4, 0, 4, 0, 4);
    this.maxFrame = maxFrame;
    this.boundName = boundName;
  }

  @Override
  protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
    lastLength = super.getUnadjustedFrameLength(buf, offset, length, order);
    return lastLength;
  }

  @Override
  protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
    try {
      return super.decode(ctx, in);
    } catch (TooLongFrameException e) {
      throw new TooLongFrameException(
          "limit "
              + boundName
              + "="
              + maxFrame
              + " exceeded by a control frame of "
              + Integer.toUnsignedString((int) lastLength)
              + " bytes");
    }
  }
}
