package dev.tlstunnel.proxyproto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.config.EdgeConfig.ProxyProtocolMode;
import dev.tlstunnel.config.ProxyProtocolVersion;
import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Malformed PROXY protocol headers, fuzzed: valid v1 and v2 headers with random bytes flipped, cut,
 * repeated or appended, in random chunks. Whatever arrives, nothing throws, nothing leaks, and each
 * connection either is refused or goes on with exactly the bytes that followed what was read as its
 * header.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(LeakDetectorExtension.class)
class ProxyHeaderFuzzTest {
  private static final byte[] PAYLOAD = "payload-after-the-header".getBytes(StandardCharsets.UTF_8);

  @Test
  void mutatedHeadersAreRefusedOrReadNeverThrownOrLeaked() {
    Random random = new Random(16);
    int refused = 0;
    int read = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] input = mutate(random, valid(random));
      Outcome outcome =
          feed(input, random, i % 2 == 0 ? ProxyProtocolMode.USE : ProxyProtocolMode.REQUIRE);
      if (outcome.refused) {
        refused++;
        assertThat(outcome.ready).as("refused and ready, input %d", i).isFalse();
      } else if (outcome.ready) {
        read++;
      }
    }
    assertThat(refused).as("some mutations are refused").isGreaterThan(100);
    assertThat(read).as("some mutations still read").isGreaterThan(100);
  }

  @Test
  void intactHeadersInRandomChunksAlwaysDeliverThePayloadUnchanged() {
    Random random = new Random(61);
    for (int i = 0; i < 500; i++) {
      byte[] header = valid(random);
      byte[] input = new byte[header.length + PAYLOAD.length];
      System.arraycopy(header, 0, input, 0, header.length);
      System.arraycopy(PAYLOAD, 0, input, header.length, PAYLOAD.length);
      Outcome outcome = feed(input, random, ProxyProtocolMode.REQUIRE);
      assertThat(outcome.refused).as("input %d refused", i).isFalse();
      assertThat(outcome.fromHeader).isTrue();
      assertThat(outcome.received.toByteArray()).isEqualTo(PAYLOAD);
    }
  }

  private static final class Outcome {
    boolean refused;
    boolean ready;
    boolean fromHeader;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
  }

  private static Outcome feed(byte[] input, Random random, ProxyProtocolMode mode) {
    Outcome outcome = new Outcome();
    InboundProxyProtocol policy =
        InboundProxyProtocol.of(
            EdgeConfig.DEFAULT.withProxyProtocol(mode, List.of("127.0.0.1")),
            Duration.ofSeconds(5),
            (c, why) -> outcome.refused = true);
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.pipeline()
        .addLast(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel c) {
                policy.install(
                    c,
                    endpoints -> {
                      outcome.ready = true;
                      outcome.fromHeader = endpoints.fromHeader();
                      c.pipeline().addLast(new Collector(outcome.received));
                    });
              }
            });
    try {
      ch.register();
      int at = 0;
      while (at < input.length && ch.isOpen()) {
        int n = 1 + random.nextInt(Math.min(40, input.length - at));
        ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
        ch.runPendingTasks();
        at += n;
      }
      ch.checkException();
    } catch (Exception e) {
      throw new AssertionError("input escaped as an exception: " + e, e);
    } finally {
      ch.finishAndReleaseAll();
    }
    return outcome;
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final ByteArrayOutputStream out;

    Collector(ByteArrayOutputStream out) {
      this.out = out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      byte[] copy = new byte[bytes.readableBytes()];
      bytes.readBytes(copy);
      out.writeBytes(copy);
      bytes.release();
    }
  }

  private static byte[] valid(Random random) {
    ProxyProtocolVersion version =
        random.nextBoolean() ? ProxyProtocolVersion.V1 : ProxyProtocolVersion.V2;
    boolean v6 = random.nextBoolean();
    String src =
        v6
            ? "2001:db8::" + Integer.toHexString(random.nextInt(0xffff))
            : "192.0.2." + random.nextInt(255);
    String dst = v6 ? "2001:db8::1" : "198.51.100.1";
    ByteBuf header =
        InboundProxyProtocolTest.encoded(
            version, src, random.nextInt(65536), dst, 1 + random.nextInt(65535));
    byte[] bytes = new byte[header.readableBytes()];
    header.readBytes(bytes);
    header.release();
    return bytes;
  }

  private static byte[] mutate(Random random, byte[] header) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    byte[] b = out.toByteArray();
    switch (random.nextInt(5)) {
      case 0 -> {
        for (int k = 0; k < 1 + random.nextInt(3); k++) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
      case 2 -> {
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(300));
        for (int k = b.length; k < longer.length; k++) {
          longer[k] = (byte) random.nextInt(256);
        }
        b = longer;
      }
      case 3 -> b[random.nextInt(Math.min(b.length, 16))] ^= (byte) (1 << random.nextInt(8));
      default -> {
        // a v2 length field or a v1 line made too long
        if (b[0] == 'P') {
          byte[] longer = new byte[200];
          System.arraycopy(b, 0, longer, 0, Math.min(b.length - 2, 200));
          java.util.Arrays.fill(longer, Math.min(b.length - 2, 200), 200, (byte) '1');
          b = longer;
        } else if (b.length > 15) {
          b[14] = (byte) random.nextInt(256);
          b[15] = (byte) random.nextInt(256);
        }
      }
    }
    byte[] withPayload = java.util.Arrays.copyOf(b, b.length + PAYLOAD.length);
    System.arraycopy(PAYLOAD, 0, withPayload, b.length, PAYLOAD.length);
    return withPayload;
  }
}
