package dev.tlstunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hand-written stream-header JSON writes exactly the protocol mapper's bytes, reads what the
 * mapper reads, and leaves everything outside its plain form to the mapper (same result, same
 * errors).
 */
@Timeout(30)
@ExtendWith(LeakDetectorExtension.class)
class StreamHeaderJsonTest {
  private static final ObjectMapper MAPPER = ControlJson.newMapper();

  private static final List<StreamHeader> HEADERS =
      List.of(
          new StreamHeader("web", "203.0.113.7", 51234),
          new StreamHeader("ssh", "2001:db8::1", 0, "laptop-1"),
          new StreamHeader("a.b_c-d", "10.0.0.1", 65535, "127.0.0.1", 8080),
          new StreamHeader("x", "1.2.3.4", 1, "v", "::1", 0));

  @Test
  void writesWhatTheMapperWrites() throws Exception {
    for (StreamHeader header : HEADERS) {
      assertThat(StreamHeaderJson.write(header)).isEqualTo(MAPPER.writeValueAsBytes(header));
    }
  }

  @Test
  void readsWhatItWritesAndWhatTheMapperReads() throws Exception {
    for (StreamHeader header : HEADERS) {
      ByteBuf body = Unpooled.wrappedBuffer(MAPPER.writeValueAsBytes(header));
      assertThat(StreamHeaderJson.read(body)).isEqualTo(header);
      assertThat(body.readerIndex()).isZero();
    }
  }

  @Test
  void stringsThatNeedEscapingGoToTheMapper() throws Exception {
    StreamHeader quoted = new StreamHeader("we\"b", "h\u00e9", 1);
    assertThat(StreamHeaderJson.write(quoted)).isNull();
    ByteBuf encoded = StreamHeaderCodec.encode(UnpooledByteBufAllocator.DEFAULT, quoted);
    try {
      encoded.skipBytes(2);
      assertThat(StreamHeaderCodec.decodeBody(encoded)).isEqualTo(quoted);
    } finally {
      encoded.release();
    }
  }

  @Test
  void anythingOutsideThePlainFormIsLeftToTheMapper() {
    for (String json :
        List.of(
            "{ \"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1,\"extra\":true}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":01}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":70000}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":-1}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\"}",
            "{\"proxy_name\":\"web\",\"proxy_name\":\"w\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1}",
            "{\"proxy_name\":\"w\\u0065b\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1}",
            "{\"proxy_name\":\"web\",\"peer_addr\":null,\"peer_port\":1}",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1}x",
            "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":1,\"dest_port\":1,"
                + "\"dest_port\":2}",
            "[]",
            "")) {
      assertThat(StreamHeaderJson.read(utf8(json))).as(json).isNull();
    }
  }

  @Test
  void theCodecGivesTheMappersResultsAndErrorsOutsideThePlainForm() {
    assertThat(
            StreamHeaderCodec.decodeBody(
                utf8(
                    "{ \"proxy_name\": \"web\", \"peer_addr\": \"1.2.3.4\", \"peer_port\": 7,"
                        + " \"future_field\": [1] }")))
        .isEqualTo(new StreamHeader("web", "1.2.3.4", 7));
    assertThatThrownBy(
            () ->
                StreamHeaderCodec.decodeBody(
                    utf8("{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":70000}")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("peer_port");
    assertThatThrownBy(() -> StreamHeaderCodec.decodeBody(utf8("{\"proxy_name\":\"web\"}")))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("peer_addr");
  }

  @Test
  void randomBytesNeverReadDifferentlyFromTheMapper() {
    Random random = new Random(18);
    byte[] base =
        "{\"proxy_name\":\"web\",\"peer_addr\":\"1.2.3.4\",\"peer_port\":80,\"dest_port\":9}"
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 20_000; i++) {
      byte[] mutated = base.clone();
      for (int k = random.nextInt(3) + 1; k > 0; k--) {
        mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(128);
      }
      StreamHeader fast = StreamHeaderJson.read(Unpooled.wrappedBuffer(mutated));
      if (fast != null) {
        assertThat(fast)
            .as(new String(mutated, StandardCharsets.US_ASCII))
            .isEqualTo(mapped(mutated));
      }
    }
  }

  private static StreamHeader mapped(byte[] json) {
    try {
      return MAPPER.readValue(json, StreamHeader.class);
    } catch (Exception e) {
      return null;
    }
  }

  private static ByteBuf utf8(String json) {
    return Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
  }
}
