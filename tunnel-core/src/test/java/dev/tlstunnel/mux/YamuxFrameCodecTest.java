package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(10)
@ExtendWith(LeakDetectorExtension.class)
class YamuxFrameCodecTest {
  private static final int MAX = 1024;

  @Test
  void everyFrameTypeRoundTrips() {
    assertRoundTrip(
        YamuxFrame.data(
            YamuxFrame.FLAG_SYN, 7, Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8)));
    assertRoundTrip(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK | YamuxFrame.FLAG_FIN, 8, 65536));
    assertRoundTrip(YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, 0xFFFF_FFFE, 0xFFFF_FFFF));
    assertRoundTrip(YamuxFrame.ping(YamuxFrame.FLAG_SYN, 42));
    assertRoundTrip(YamuxFrame.ping(YamuxFrame.FLAG_ACK, 42));
    assertRoundTrip(YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR));
  }

  @Test
  void encoderCopiesASmallPayloadBehindItsHeader() {
    EmbeddedChannel ch = new EmbeddedChannel(YamuxFrameEncoder.INSTANCE);
    ByteBuf payload = Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII);
    ch.writeOutbound(YamuxFrame.data(0, 3, payload));
    ByteBuf frame = ch.readOutbound();
    assertThat(ByteBufHex.hex(frame)).isEqualTo("000000000000000300000003616263");
    assertThat(payload.refCnt()).isZero();
    frame.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void encoderWritesALargePayloadAfterItsHeaderWithoutCopy() {
    EmbeddedChannel ch = new EmbeddedChannel(YamuxFrameEncoder.INSTANCE);
    int size = YamuxFrameEncoder.COPY_LIMIT + 1;
    ByteBuf payload = Unpooled.buffer(size).writeZero(size);
    ch.writeOutbound(YamuxFrame.data(0, 3, payload));
    ByteBuf header = ch.readOutbound();
    ByteBuf body = ch.readOutbound();
    assertThat(ByteBufHex.hex(header))
        .isEqualTo("00000000000000030000" + String.format("%04x", size));
    assertThat(body).isSameAs(payload);
    header.release();
    body.release();
    assertThat(payload.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void decodesInputFragmentedByteByByte() {
    ByteBuf wire = Unpooled.buffer();
    wire.writeBytes(ByteBufHex.bytes("000100010000000500001000")); // window update
    wire.writeBytes(ByteBufHex.bytes("000000000000000500000003616263")); // data "abc"
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(MAX));
    while (wire.isReadable()) {
      ch.writeInbound(wire.readRetainedSlice(1));
    }
    wire.release();
    YamuxFrame update = ch.readInbound();
    assertThat(update.type()).isEqualTo(YamuxFrame.TYPE_WINDOW_UPDATE);
    assertThat(update.length()).isEqualTo(4096);
    update.release();
    YamuxFrame data = ch.readInbound();
    assertThat(data.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThat(data.streamId()).isEqualTo(5);
    data.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void decoderEmitsSlicesOfTheInputNotCopies() {
    ByteBuf wire = Unpooled.wrappedBuffer(ByteBufHex.bytes("000000000000000500000003616263"));
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(MAX));
    ch.writeInbound(wire);
    YamuxFrame data = ch.readInbound();
    assertThat(data.content().unwrap()).isSameAs(wire);
    data.release();
    assertThat(wire.refCnt()).isZero();
    ch.finish();
  }

  @Test
  void badVersionFailsAndDiscardsTheRest() {
    assertMalformed("010000000000000100000000", CorruptedFrameException.class, "version 1");
  }

  @Test
  void unknownTypeFails() {
    assertMalformed("000400000000000100000000", CorruptedFrameException.class, "type 4");
  }

  @Test
  void oversizedDataFrameFailsBeforeBuffering() {
    assertMalformed("000000000000000100000401", TooLongFrameException.class, "1025 bytes");
    assertMalformed("0000000000000001ffffffff", TooLongFrameException.class, "4294967295");
  }

  private static void assertMalformed(String hex, Class<?> type, String message) {
    EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameDecoder(MAX));
    ByteBuf bad = Unpooled.wrappedBuffer(ByteBufHex.bytes(hex + "000000000000000100000000"));
    assertThatThrownBy(() -> ch.writeInbound(bad))
        .isInstanceOf(DecoderException.class)
        .isInstanceOf(type)
        .hasMessageContaining(message);
    ByteBuf more = Unpooled.wrappedBuffer(ByteBufHex.bytes("000200010000000000000001"));
    assertThat(ch.writeInbound(more)).isFalse();
    assertThat(bad.refCnt()).isZero();
    assertThat(more.refCnt()).isZero();
    assertThat(ch.finish()).isFalse();
  }

  private static void assertRoundTrip(YamuxFrame frame) {
    String expected = frame.toString();
    ByteBuf payloadCopy = frame.content().copy();
    EmbeddedChannel enc = new EmbeddedChannel(YamuxFrameEncoder.INSTANCE);
    EmbeddedChannel dec = new EmbeddedChannel(new YamuxFrameDecoder(MAX));
    enc.writeOutbound(frame);
    ByteBuf out;
    while ((out = enc.readOutbound()) != null) {
      dec.writeInbound(out);
    }
    YamuxFrame decoded = dec.readInbound();
    assertThat(decoded.toString()).isEqualTo(expected);
    assertThat(decoded.content()).isEqualTo(payloadCopy);
    decoded.release();
    payloadCopy.release();
    if (frame.type() == YamuxFrame.TYPE_DATA) {
      assertThat(frame.refCnt()).isZero();
    }
    assertThat(enc.finish()).isFalse();
    assertThat(dec.finish()).isFalse();
  }
}
