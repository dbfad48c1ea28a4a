package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server's WebSocket adapter with Netty's real frame decoder, fed raw (masked) frames as a
 * hostile client would send them: binary frames become bytes; text frames, oversized frames,
 * endless fragmented messages and unmasked frames are bounded, answered with a close frame, closed
 * and reported once.
 */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(20)
class WsFrameAdapterTest {
  private final List<String> reports = new ArrayList<>();

  private EmbeddedChannel server() {
    WebSocketDecoderConfig config =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(WsFrameAdapter.MAX_MESSAGE)
            .expectMaskedFrames(true)
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .build();
    return new EmbeddedChannel(
        new WebSocket13FrameEncoder(false),
        new WebSocket13FrameDecoder(config),
        new WsFrameAdapter(null, (Channel ch, String what) -> reports.add(what)));
  }

  /** One masked frame: FIN flag, opcode, payload (length encoded as the RFC says). */
  static ByteBuf frame(boolean fin, int opcode, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte((fin ? 0x80 : 0) | opcode);
    int n = payload.length;
    if (n < 126) {
      b.writeByte(0x80 | n);
    } else if (n < 65536) {
      b.writeByte(0x80 | 126).writeShort(n);
    } else {
      b.writeByte(0x80 | 127).writeLong(n);
    }
    byte[] mask = {1, 2, 3, 4};
    b.writeBytes(mask);
    for (int i = 0; i < n; i++) {
      b.writeByte(payload[i] ^ mask[i % 4]);
    }
    return b;
  }

  private static int closeStatus(EmbeddedChannel ch) {
    ByteBuf out = ch.readOutbound();
    try {
      assertThat(out.getByte(0) & 0x0f).as("opcode").isEqualTo(0x8);
      return out.getUnsignedShort(2);
    } finally {
      out.release();
    }
  }

  @Test
  void binaryFramesBecomeBytesAndBytesLeaveAsBinaryFrames() {
    EmbeddedChannel ch = server();
    ch.writeInbound(frame(true, 0x2, "yamux".getBytes(StandardCharsets.US_ASCII)));
    ByteBuf in = ch.readInbound();
    assertThat(in.toString(StandardCharsets.US_ASCII)).isEqualTo("yamux");
    in.release();
    ch.writeOutbound(Unpooled.copiedBuffer("back", StandardCharsets.US_ASCII));
    ByteBuf out = ch.readOutbound();
    assertThat(out.getByte(0) & 0xff).isEqualTo(0x82); // FIN, binary, unmasked from the server
    out.release();
    assertThat(reports).isEmpty();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void fragmentsArePassedOnAsTheyArrive() {
    EmbeddedChannel ch = server();
    ch.writeInbound(frame(false, 0x2, new byte[] {1, 2}));
    ch.writeInbound(frame(true, 0x0, new byte[] {3}));
    ByteBuf a = ch.readInbound();
    ByteBuf b = ch.readInbound();
    assertThat(a.readableBytes() + b.readableBytes()).isEqualTo(3);
    a.release();
    b.release();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void pingIsAnsweredWithPong() {
    EmbeddedChannel ch = server();
    ch.writeInbound(frame(true, 0x9, new byte[] {7}));
    ByteBuf out = ch.readOutbound();
    assertThat(out.getByte(0) & 0x0f).isEqualTo(0xA);
    out.release();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void textFrameIsClosedWith1003AndReportedOnce() {
    EmbeddedChannel ch = server();
    ch.writeInbound(
        Unpooled.wrappedBuffer(
            frame(true, 0x1, "hello".getBytes(StandardCharsets.UTF_8)),
            frame(true, 0x1, "again".getBytes(StandardCharsets.UTF_8))));
    assertThat(closeStatus(ch)).isEqualTo(1003);
    assertThat(ch.isOpen()).isFalse();
    assertThat(ch.inboundMessages()).isEmpty();
    assertThat(reports)
        .containsExactly("sent a WebSocket text frame (the tunnel accepts binary frames only)");
    ch.finishAndReleaseAll();
  }

  @Test
  void oversizedFrameIsRefusedBeforeItsPayloadArrives() {
    EmbeddedChannel ch = server();
    ByteBuf header = Unpooled.buffer();
    header.writeByte(0x82).writeByte(0x80 | 127).writeLong(64L * 1024 * 1024).writeInt(0);
    ch.writeInbound(header);
    assertThat(closeStatus(ch)).isEqualTo(1009);
    assertThat(ch.isOpen()).isFalse();
    assertThat(reports).hasSize(1);
    assertThat(reports.get(0)).startsWith("broke WebSocket framing: Max frame length of");
    ch.finishAndReleaseAll();
  }

  @Test
  void endlessFragmentedMessageIsCutAtTheBound() {
    EmbeddedChannel ch = server();
    byte[] chunk = new byte[64 * 1024];
    ch.writeInbound(frame(false, 0x2, chunk));
    int frames = 1;
    while (ch.isOpen() && frames < 100) {
      ch.writeInbound(frame(false, 0x0, chunk));
      frames++;
    }
    for (Object in; (in = ch.readInbound()) != null; ) {
      ((ByteBuf) in).release();
    }
    assertThat(frames).isEqualTo(WsFrameAdapter.MAX_MESSAGE / chunk.length + 1);
    assertThat(closeStatus(ch)).isEqualTo(1009);
    assertThat(reports)
        .containsExactly("sent a fragmented WebSocket message longer than 1048576 bytes");
    ch.finishAndReleaseAll();
  }

  @Test
  void unmaskedFrameFromAClientIsAProtocolError() {
    EmbeddedChannel ch = server();
    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x82, 0x01, 0x05}));
    assertThat(closeStatus(ch)).isEqualTo(1002);
    assertThat(ch.isOpen()).isFalse();
    assertThat(reports).hasSize(1);
    ch.finishAndReleaseAll();
  }

  @Test
  void closeFrameIsAnsweredAndTheConnectionCloses() {
    EmbeddedChannel ch = server();
    ch.writeInbound(frame(true, 0x8, new byte[] {0x03, (byte) 0xe8}));
    assertThat(closeStatus(ch)).isEqualTo(1000);
    assertThat(ch.isOpen()).isFalse();
    assertThat(reports).isEmpty();
    ch.finishAndReleaseAll();
  }
}
