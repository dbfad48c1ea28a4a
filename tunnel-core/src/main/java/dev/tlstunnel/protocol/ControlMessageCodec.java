package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageCodec;
import java.io.IOException;
import java.util.List;

/**
 * One control frame (without its length prefix) to one {@link ControlMessage} and back. Decoding
 * failures raise {@link io.netty.handler.codec.DecoderException}; the caller closes the stream.
 */
final class ControlMessageCodec extends MessageToMessageCodec<ByteBuf, ControlMessage> {

  @Override
  protected void encode(ChannelHandlerContext ctx, ControlMessage msg, List<Object> out)
      throws IOException {
    ByteBuf buf = ctx.alloc().buffer();
    try (ByteBufOutputStream os = new ByteBufOutputStream(buf)) {
      ControlMessages.write(msg, os);
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
    if (buf.readableBytes() > Protocol.MAX_CONTROL_FRAME) {
      int size = buf.readableBytes();
      buf.release();
      throw new EncoderException(
          "control message "
              + ControlMessages.typeOf(msg)
              + " is "
              + size
              + " bytes, more than "
              + Protocol.MAX_CONTROL_FRAME);
    }
    out.add(buf);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    out.add(ControlMessages.read(new ByteBufInputStream(frame)));
  }
}
