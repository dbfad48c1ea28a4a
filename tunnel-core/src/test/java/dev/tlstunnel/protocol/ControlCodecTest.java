package dev.tlstunnel.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControlCodecTest {
  static final String SECRET = "s3cr3t-auth-key-0123456789";

  private final EmbeddedChannel ch = newChannel();

  static EmbeddedChannel newChannel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ControlCodec.addTo(ch.pipeline());
    return ch;
  }

  @AfterEach
  void release() {
    ch.finishAndReleaseAll();
  }

  static Stream<ControlMessage> messages() {
    BindRetrySpec retry = new BindRetrySpec(5, 1000, 30_000);
    return Stream.of(
        new ClientHello(Protocol.VERSION, SECRET, "edge-1", "0.1.0"),
        new AuthResult(true, null, "0.1.0"),
        new AuthResult(false, "invalid auth key", "0.1.0"),
        new RegisterProxies(
            List.of(
                new ProxySpec("web", "0.0.0.0", 8080, "tcp", retry),
                new ProxySpec("ssh", "::", 2222, "http/1.1", null))),
        new RegisterProxies(List.of()),
        new RegisterProxies(
            List.of(new ProxySpec("web", "0.0.0.0", 8081, "tcp", retry, null, null, true))),
        new UnregisterProxies(List.of("db", "api")),
        new ClientHello(Protocol.VERSION, SECRET, "edge-1", "0.1.0", "edge-1"),
        new ProxyRegistrationResult("web", true, null, "max_retries clamped to 10", retry),
        new ProxyRegistrationResult("ssh", false, "name 'ssh' is taken", null, null),
        new ProxyStatusUpdate(
            "web",
            ProxyStatus.UNHEALTHY,
            "Port 8080 is already in use by another process",
            2.0,
            1,
            10,
            "0.0.0.0",
            8080),
        new ProxyStatusUpdate("web", ProxyStatus.HEALTHY, null, null, 3, 10, "0.0.0.0", 8080),
        new ProxyStatusUpdate("web", ProxyStatus.BIND_FAILED, "gave up", null, 11, 10, null, null),
        new Heartbeat(1_732_000_000_123L, false),
        new Heartbeat(-1, true),
        new ControlMessage.Unknown("visitor_hello"));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageRoundTrips(ControlMessage message) {
    ByteBuf wire = encode(message);
    EmbeddedChannel peer = newChannel();
    try {
      assertThat(peer.writeInbound(wire)).isTrue();
      assertThat(inbound(peer)).isEqualTo(message);
      assertThat(inbound(peer)).isNull();
      assertThat(wire.refCnt()).isZero();
    } finally {
      peer.finishAndReleaseAll();
    }
  }

  @Test
  void wireFormIsSnakeCaseWithTypeFirstAndNullsOmitted() {
    assertThat(json(new Heartbeat(5, false)))
        .isEqualTo("{\"type\":\"heartbeat\",\"timestamp_millis\":5,\"reply\":false}");
    assertThat(
            json(
                new ProxyStatusUpdate(
                    "web", ProxyStatus.BIND_FAILED, "boom", null, 11, 10, "0.0.0.0", 8080)))
        .isEqualTo(
            "{\"type\":\"proxy_status_update\",\"proxy_name\":\"web\",\"status\":\"bind_failed\","
                + "\"error_message\":\"boom\",\"attempt\":11,\"max_retries\":10,"
                + "\"publish_addr\":\"0.0.0.0\",\"publish_port\":8080}");
    assertThat(json(new RegisterProxies(List.of(new ProxySpec("a", null, 1, "tcp", null)))))
        .isEqualTo(
            "{\"type\":\"register_proxies\",\"proxies\":[{\"name\":\"a\",\"publish_port\":1,"
                + "\"proxy_type\":\"tcp\"}]}");
  }

  @Test
  void reloadMessagesHaveTheirWireForm() {
    assertThat(json(new UnregisterProxies(List.of("db"))))
        .isEqualTo("{\"type\":\"unregister_proxies\",\"names\":[\"db\"]}");
    assertThat(
            json(
                new RegisterProxies(
                    List.of(new ProxySpec("w", "::", 1, "tcp", null, null, null, true)))))
        .isEqualTo(
            "{\"type\":\"register_proxies\",\"proxies\":[{\"name\":\"w\",\"publish_addr\":\"::\","
                + "\"publish_port\":1,\"proxy_type\":\"tcp\",\"replace\":true}]}");
  }

  @Test
  void lengthPrefixIsFourBytesBigEndian() {
    ByteBuf wire = encode(new Heartbeat(5, false));
    try {
      int length = wire.readInt();
      assertThat(length).isEqualTo(wire.readableBytes());
    } finally {
      wire.release();
    }
  }

  @Test
  void unknownTypeDecodesToUnknown() {
    ch.writeInbound(frame("{\"type\":\"visitor_hello\",\"secret\":{\"a\":[1,2]},\"n\":1}"));
    assertThat(inbound(ch)).isEqualTo(new ControlMessage.Unknown("visitor_hello"));
  }

  @Test
  void unknownFieldsAreIgnored() {
    ch.writeInbound(
        frame(
            "{\"type\":\"heartbeat\",\"future\":{\"x\":[true,null,1.5]},"
                + "\"timestamp_millis\":7,\"reply\":true,\"z\":\"\"}"));
    assertThat(inbound(ch)).isEqualTo(new Heartbeat(7, true));
  }

  @Test
  void fragmentedInputDecodesOnceComplete() {
    ByteBuf first = encode(new Heartbeat(9, true));
    while (first.readableBytes() > 1) {
      ch.writeInbound(first.readRetainedSlice(1));
      assertThat(inbound(ch)).isNull();
    }
    ByteBuf second = frame("{\"type\":\"x\"}");
    ch.writeInbound(Unpooled.wrappedBuffer(first, second.readRetainedSlice(7)));
    assertThat(inbound(ch)).isEqualTo(new Heartbeat(9, true));
    assertThat(inbound(ch)).isNull();
    ch.writeInbound(second);
    assertThat(inbound(ch)).isEqualTo(new ControlMessage.Unknown("x"));
    assertThat(first.refCnt()).isZero();
    assertThat(second.refCnt()).isZero();
  }

  @Test
  void frameOfExactlyTheMaximumIsAccepted() {
    String head = "{\"type\":\"heartbeat\",\"timestamp_millis\":1";
    String padding = " ".repeat(Protocol.MAX_CONTROL_FRAME - head.length() - 1);
    ch.writeInbound(frame(head + padding + "}"));
    assertThat(inbound(ch)).isEqualTo(new Heartbeat(1, false));
  }

  @Test
  void oversizedFrameIsRejectedBeforeItArrives() {
    ByteBuf buf = Unpooled.buffer().writeInt(Protocol.MAX_CONTROL_FRAME + 1).writeByte('{');
    assertThatThrownBy(() -> ch.writeInbound(buf))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessage("limit max_control_frame=65536 exceeded by a control frame of 65537 bytes");
    ch.finishAndReleaseAll();
    assertThat(buf.refCnt()).isZero();
  }

  @Test
  void aLowerBoundIsNamedAsGivenAndTheRestOfTheFrameIsDiscarded() {
    EmbeddedChannel lowered = new EmbeddedChannel();
    ControlCodec.addTo(lowered.pipeline(), 4096, "limits.max_control_frame");
    ByteBuf buf = Unpooled.buffer().writeInt(4097).writeZero(10);
    assertThatThrownBy(() -> lowered.writeInbound(buf))
        .isInstanceOf(TooLongFrameException.class)
        .hasMessage(
            "limit limits.max_control_frame=4096 exceeded by a control frame of 4097 bytes");
    assertThat(lowered.writeInbound(Unpooled.buffer().writeZero(100))).isFalse();
    lowered.finishAndReleaseAll();
    assertThat(buf.refCnt()).isZero();
  }

  @Test
  void oversizedMessageIsNotSent() {
    List<ProxySpec> proxies = new ArrayList<>();
    for (int i = 0; i < Protocol.MAX_PROXIES; i++) {
      proxies.add(new ProxySpec("p".repeat(300) + i, "0.0.0.0", 1000 + i, "tcp", null));
    }
    assertThatThrownBy(() -> ch.writeOutbound(new RegisterProxies(proxies)))
        .isInstanceOf(EncoderException.class)
        .hasMessageStartingWith("control message register_proxies is ")
        .hasMessageEndingWith("bytes, more than 65536");
    assertThat(outbound(ch)).isNull();
  }

  static Stream<String[]> badFrames() {
    String longKey = "k".repeat(Protocol.MAX_STRING_LENGTH + 1);
    return Stream.of(
        new String[] {"", "empty control message"},
        new String[] {"{\"type\":\"heartbeat\",", "control message: malformed JSON at line 1"},
        new String[] {"[1,2]", "control message is not a JSON object"},
        new String[] {"\"heartbeat\"", "control message is not a JSON object"},
        new String[] {"{\"reply\":true}", "control message without a string \"type\" field"},
        new String[] {"{\"type\":5}", "control message without a string \"type\" field"},
        new String[] {
          "{\"type\":\"heartbeat\",\"timestamp_millis\":\"soon\"}",
          "control message heartbeat: invalid value for field 'timestamp_millis'"
        },
        new String[] {
          "{\"type\":\"heartbeat\",\"reply\":1}",
          "control message heartbeat: invalid value for field 'reply'"
        },
        new String[] {
          "{\"type\":\"client_hello\",\"protocol_version\":1.5}",
          "control message client_hello: invalid value for field 'protocol_version'"
        },
        new String[] {
          "{\"type\":\"client_hello\",\"client_id\":42}",
          "control message client_hello: invalid value for field 'client_id'"
        },
        new String[] {
          "{\"type\":\"register_proxies\",\"proxies\":[{\"name\":\"a\",\"publish_port\":\"80\"}]}",
          "control message register_proxies: invalid value for field 'proxies[0].publish_port'"
        },
        new String[] {
          "{\"type\":\"heartbeat\",\"timestamp_millis\":99999999999999999999}",
          "control message heartbeat: invalid value for field 'timestamp_millis'"
        },
        new String[] {
          "{\"type\":\"heartbeat\",\"timestamp_millis\":" + "9".repeat(40) + "}",
          "control message: field 'timestamp_millis' exceeds a limit: Number value length (40)"
        },
        new String[] {
          "{\"type\":\"heartbeat\",\"x\":" + "[".repeat(20) + "]".repeat(20) + "}",
          "control message: field 'x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]' exceeds a limit: Document nesting depth (17)"
        },
        new String[] {
          "{\"type\":\"heartbeat\",\"type\":\"client_hello\"}",
          "control message: malformed JSON at line 1"
        },
        new String[] {
          "{\"type\":\"heartbeat\"} {}", "control message: unexpected data after the JSON value"
        },
        new String[] {
          "{\"type\":\"client_hello\",\"auth_key\":\"" + longKey + "\"}",
          "control message client_hello: field 'auth_key' is longer than 1024 characters (1025)"
        },
        new String[] {
          "{\"type\":\"proxy_status_update\",\"proxy_name\":\"a\",\"extra\":[{\"x\":\""
              + longKey
              + "\"}]}",
          "control message proxy_status_update: field 'extra[0].x' is longer than 1024"
        });
  }

  @ParameterizedTest
  @MethodSource("badFrames")
  void badFramesRaiseDecoderExceptionNamingTheProblem(String json, String message) {
    ByteBuf buf = frame(json);
    assertThatThrownBy(() -> ch.writeInbound(buf))
        .isInstanceOf(DecoderException.class)
        .hasMessageStartingWith(message);
    assertThat(inbound(ch)).isNull();
    assertThat(buf.refCnt()).isZero();
  }

  @Test
  void tooManyProxiesAreRejected() {
    StringBuilder sb = new StringBuilder("{\"type\":\"register_proxies\",\"proxies\":[");
    for (int i = 0; i <= Protocol.MAX_PROXIES; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"name\":\"p").append(i).append("\"}");
    }
    assertThatThrownBy(() -> ch.writeInbound(frame(sb.append("]}").toString())))
        .isInstanceOf(DecoderException.class)
        .hasMessage(
            "control message register_proxies: field 'proxies' has 257 entries, more than 256");
  }

  @Test
  void veryLongStringIsRejectedByTheParser() {
    String json = "{\"type\":\"client_hello\",\"auth_key\":\"" + "k".repeat(20_000) + "\"}";
    assertThatThrownBy(() -> ch.writeInbound(frame(json)))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("auth_key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("kkkk"));
  }

  @Test
  void authKeyNeverAppearsInMessagesOrToString() {
    String json = "{\"type\":\"client_hello\",\"auth_key\":" + SECRET + "}";
    assertThatThrownBy(() -> ch.writeInbound(frame(json)))
        .isInstanceOf(DecoderException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET))
        .satisfies(e -> assertThat(e.getCause()).isNull());
    String typed = "{\"type\":\"client_hello\",\"auth_key\":\"" + SECRET + "\",\"client_id\":[]}";
    assertThatThrownBy(() -> ch.writeInbound(frame(typed)))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    assertThat(new ClientHello(1, SECRET, "c", "v").toString()).doesNotContain(SECRET);
  }

  @Test
  void severalFramesInOneBufferDecodeInOrder() {
    ch.writeInbound(
        Unpooled.wrappedBuffer(
            frame("{\"type\":\"heartbeat\",\"timestamp_millis\":1}"),
            frame("{\"type\":\"auth_result\",\"ok\":true}")));
    assertThat(inbound(ch)).isEqualTo(new Heartbeat(1, false));
    assertThat(inbound(ch)).isEqualTo(new AuthResult(true, null, null));
  }

  private ByteBuf encode(ControlMessage message) {
    EmbeddedChannel out = newChannel();
    try {
      assertThat(out.writeOutbound(message)).isTrue();
      ByteBuf wire = Unpooled.buffer();
      for (ByteBuf part; (part = out.readOutbound()) != null; ) {
        wire.writeBytes(part);
        part.release();
      }
      return wire;
    } finally {
      out.finishAndReleaseAll();
    }
  }

  private String json(ControlMessage message) {
    ByteBuf wire = encode(message);
    try {
      return wire.skipBytes(4).toString(UTF_8);
    } finally {
      wire.release();
    }
  }

  static ByteBuf frame(String json) {
    byte[] bytes = json.getBytes(UTF_8);
    return Unpooled.buffer(4 + bytes.length).writeInt(bytes.length).writeBytes(bytes);
  }

  static Object inbound(EmbeddedChannel c) {
    return c.readInbound();
  }

  static Object outbound(EmbeddedChannel c) {
    return c.readOutbound();
  }
}
