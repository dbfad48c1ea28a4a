package dev.tlstunnel.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamHeaderDecoderTest {
  static final StreamHeader HEADER = new StreamHeader("web", "203.0.113.7", 51234);

  private final EmbeddedChannel ch = new EmbeddedChannel(new StreamHeaderDecoder());

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  @Test
  void wireLayoutIsTwoByteLengthThenJson() {
    ByteBuf buf = StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, HEADER);
    try {
      String json = "{\"proxy_name\":\"web\",\"peer_addr\":\"203.0.113.7\",\"peer_port\":51234}";
      assertThat(buf.readUnsignedShort()).isEqualTo(json.length());
      assertThat(buf.toString(UTF_8)).isEqualTo(json);
    } finally {
      buf.release();
    }
  }

  @Test
  void decodesTheHeaderThenPassesTheRestOnAndRemovesItself() {
    ByteBuf header = StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, HEADER);
    ByteBuf payload = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", UTF_8);
    ch.writeInbound(Unpooled.wrappedBuffer(header, payload));
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(HEADER);
    assertThat(ch.pipeline().get(StreamHeaderDecoder.class)).isNull();
    assertRaw("GET / HTTP/1.1\r\n");
    ByteBuf later = Unpooled.copiedBuffer("more", UTF_8);
    ch.writeInbound(later);
    assertRaw("more");
    assertThat(header.refCnt()).isZero();
    assertThat(later.refCnt()).isZero();
  }

  @Test
  void fragmentedHeaderDecodesOnceComplete() {
    ByteBuf wire =
        Unpooled.wrappedBuffer(
            StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, HEADER),
            Unpooled.copiedBuffer("xy", UTF_8));
    while (wire.readableBytes() > 3) {
      ch.writeInbound(wire.readRetainedSlice(1));
      assertThat(ControlCodecTest.inbound(ch)).isNull();
    }
    ch.writeInbound(wire);
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(HEADER);
    assertRaw("xy");
    assertThat(wire.refCnt()).isZero();
  }

  @Test
  void headerAloneFiresNoBytes() {
    ch.writeInbound(StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, HEADER));
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(HEADER);
    assertThat(ControlCodecTest.inbound(ch)).isNull();
  }

  @Test
  void unknownFieldsAreIgnored() {
    ch.writeInbound(
        body("{\"peer_port\":1,\"future\":[1],\"proxy_name\":\"a\",\"peer_addr\":\"::1\"}"));
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(new StreamHeader("a", "::1", 1));
  }

  @Test
  void oversizedHeaderIsRejectedAndLaterInputDiscarded() {
    ByteBuf buf = Unpooled.buffer().writeShort(Protocol.MAX_STREAM_HEADER + 1).writeByte('{');
    assertThatThrownBy(() -> ch.writeInbound(buf))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessage("stream header is 1025 bytes, more than 1024");
    ByteBuf later = Unpooled.copiedBuffer("junk", UTF_8);
    assertThat(ch.writeInbound(later)).isFalse();
    assertThat(buf.refCnt()).isZero();
    assertThat(later.refCnt()).isZero();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"proxy_name\":\"a\" | stream header: malformed JSON at line 1",
        "[1] | stream header is not a JSON object",
        "{\"peer_addr\":\"x\",\"peer_port\":1} | stream header without proxy_name or peer_addr",
        "{\"proxy_name\":\"a\",\"peer_addr\":\"x\",\"peer_port\":70000}"
            + " | stream header: field 'peer_port' out of range",
        "{\"proxy_name\":\"a\",\"peer_addr\":\"x\",\"peer_port\":\"1\"}"
            + " | stream header: invalid value for field 'peer_port'",
        "{\"proxy_name\":1} | stream header: invalid value for field 'proxy_name'",
      })
  void malformedHeaderIsRejected(String json, String message) {
    ByteBuf buf = body(json);
    assertThatThrownBy(() -> ch.writeInbound(buf))
        .isInstanceOf(DecoderException.class)
        .hasMessageStartingWith(message);
    assertThat(ControlCodecTest.inbound(ch)).isNull();
    assertThat(buf.refCnt()).isZero();
  }

  @Test
  void emptyHeaderAndLongStringsAreRejected() {
    assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeShort(0)))
        .isInstanceOf(CorruptedFrameException.class)
        .hasMessage("empty stream header");
    EmbeddedChannel other = new EmbeddedChannel(new StreamHeaderDecoder());
    try {
      String json = "{\"proxy_name\":\"" + "n".repeat(1000) + "\",\"peer_addr\":\"x\"}";
      assertThatThrownBy(() -> other.writeInbound(body(json))).isInstanceOf(DecoderException.class);
    } finally {
      other.finishAndReleaseAll();
    }
  }

  @Test
  void encodeRejectsOversizedOrIncompleteHeaders() {
    assertThatThrownBy(
            () ->
                StreamHeaderCodec.encode(
                    ByteBufAllocator.DEFAULT, new StreamHeader("p".repeat(1000), "1.2.3.4", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("bytes, more than 1024");
    assertThatThrownBy(
            () ->
                StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, new StreamHeader(null, "a", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void assertRaw(String expected) {
    ByteBuf raw = ch.readInbound();
    try {
      assertThat(raw.toString(UTF_8)).isEqualTo(expected);
    } finally {
      raw.release();
    }
  }

  private static ByteBuf body(String json) {
    byte[] bytes = json.getBytes(UTF_8);
    return Unpooled.buffer().writeShort(bytes.length).writeBytes(bytes);
  }
}
