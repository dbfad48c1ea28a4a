package dev.tlstunnel.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request and reply headers of client-opened streams, on embedded channels. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StreamRequestsTest {
  private static final String PROOF = "ab".repeat(32);

  private static ByteBuf framed(String json) {
    byte[] bytes = json.getBytes(UTF_8);
    return Unpooled.buffer(2 + bytes.length).writeShort(bytes.length).writeBytes(bytes);
  }

  private static String wire(ByteBuf buf) {
    try {
      assertThat(buf.readUnsignedShort()).isEqualTo(buf.readableBytes());
      return buf.toString(UTF_8);
    } finally {
      buf.release();
    }
  }

  @Test
  void visitRequestIsKindThenFieldsBehindATwoByteLength() {
    VisitRequest request = new VisitRequest("office/ssh", 7, PROOF);
    assertThat(wire(StreamRequests.encode(ByteBufAllocator.DEFAULT, request)))
        .isEqualTo(
            "{\"kind\":\"visit\",\"target\":\"office/ssh\",\"seq\":7,\"proof\":\"" + PROOF + "\"}");
  }

  @Test
  void repliesCarryOkOrAReasonAndAMessage() {
    assertThat(wire(StreamRequests.encode(ByteBufAllocator.DEFAULT, StreamReply.accepted())))
        .isEqualTo("{\"ok\":true}");
    StreamReply refused = StreamReply.refused(StreamRefusal.WRONG_SECRET, "no");
    assertThat(wire(StreamRequests.encode(ByteBufAllocator.DEFAULT, refused)))
        .isEqualTo("{\"ok\":false,\"reason\":\"wrong_secret\",\"message\":\"no\"}");
  }

  @Test
  void requestDecodesThenTheRestPassesOnAndTheDecoderRemovesItself() {
    EmbeddedChannel ch = new EmbeddedChannel(StreamRequests.requestDecoder());
    ByteBuf request =
        StreamRequests.encode(ByteBufAllocator.DEFAULT, new VisitRequest("office/ssh", 1, PROOF));
    ch.writeInbound(Unpooled.wrappedBuffer(request, Unpooled.copiedBuffer("SSH-2.0", UTF_8)));
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(new VisitRequest("office/ssh", 1, PROOF));
    ByteBuf rest = ch.readInbound();
    assertThat(rest.toString(UTF_8)).isEqualTo("SSH-2.0");
    rest.release();
    assertThat(ch.pipeline().get(StreamHeaderDecoder.class)).isNull();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void unknownKindDecodesToUnknownAndIgnoresItsFields() {
    EmbeddedChannel ch = new EmbeddedChannel(StreamRequests.requestDecoder());
    ch.writeInbound(framed("{\"kind\":\"connect\",\"host\":\"example.org\",\"port\":443}"));
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(new StreamRequest.Unknown("connect"));
    ch.finishAndReleaseAll();
  }

  @Test
  void replyDecodesAndAnUnknownReasonIsNoRefusal() {
    EmbeddedChannel ch = new EmbeddedChannel(StreamRequests.replyDecoder());
    ch.writeInbound(framed("{\"ok\":false,\"reason\":\"from_the_future\",\"message\":\"m\"}"));
    StreamReply reply = (StreamReply) ControlCodecTest.inbound(ch);
    assertThat(reply).isEqualTo(new StreamReply(false, "from_the_future", "m", null));
    assertThat(reply.refusal()).isNull();
    ch.finishAndReleaseAll();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"target\":\"a/b\",\"seq\":1,\"proof\":\"x\"}",
        "{\"kind\":7}",
        "{\"kind\":\"visit\",\"seq\":1,\"proof\":\"x\"}",
        "{\"kind\":\"visit\",\"target\":\"a/b\",\"seq\":\"1\",\"proof\":\"x\"}",
        "{\"kind\":\"visit\",\"target\":\"a/b\",\"seq\":1}",
        "[\"visit\"]",
        "{\"kind\":\"visit\",\"kind\":\"visit\"}",
      })
  void malformedRequestsFailNamingNoValue(String json) {
    EmbeddedChannel ch = new EmbeddedChannel(StreamRequests.requestDecoder());
    assertThatThrownBy(() -> ch.writeInbound(framed(json)))
        .isInstanceOf(DecoderException.class)
        .hasMessageStartingWith("stream request")
        .hasMessageNotContaining("a/b");
    ch.finishAndReleaseAll();
  }

  @Test
  void oversizedRequestFailsBeforeItsBodyArrives() {
    EmbeddedChannel ch = new EmbeddedChannel(StreamRequests.requestDecoder());
    ByteBuf length = Unpooled.buffer(2).writeShort(Protocol.MAX_STREAM_HEADER + 1);
    assertThatThrownBy(() -> ch.writeInbound(length))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessage("stream request is 1025 bytes, more than 1024");
    ch.finishAndReleaseAll();
  }

  @Test
  void encodingATooLargeRequestIsRefused() {
    VisitRequest huge = new VisitRequest("t".repeat(1100), 1, PROOF);
    assertThatThrownBy(() -> StreamRequests.encode(ByteBufAllocator.DEFAULT, huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than 1024");
  }

  @Test
  void toStringLeavesTheProofOut() {
    assertThat(new VisitRequest("office/ssh", 3, PROOF).toString()).doesNotContain(PROOF);
  }

  @Test
  void streamHeaderCarriesTheVisitorOnlyWhenThereIsOne() {
    EmbeddedChannel ch = new EmbeddedChannel(new StreamHeaderDecoder());
    StreamHeader visit = new StreamHeader("ssh", "192.0.2.4", 4000, "laptop");
    ByteBuf encoded = StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, visit);
    assertThat(encoded.toString(2, encoded.readableBytes() - 2, UTF_8))
        .endsWith(",\"visitor\":\"laptop\"}");
    ch.writeInbound(encoded);
    assertThat(ControlCodecTest.inbound(ch)).isEqualTo(visit);
    ch.finishAndReleaseAll();
    assertThat(
            wire(
                StreamHeaderCodec.encode(ByteBufAllocator.DEFAULT, StreamHeaderDecoderTest.HEADER)))
        .doesNotContain("visitor");
  }
}
