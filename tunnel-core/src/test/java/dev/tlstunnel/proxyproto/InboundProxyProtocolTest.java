package dev.tlstunnel.proxyproto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.config.EdgeConfig.ProxyProtocolMode;
import dev.tlstunnel.config.ProxyProtocolVersion;
import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Reading (and refusing) PROXY protocol headers at a connection's start, on an embedded channel:
 * Netty's decoder reads what Netty's encoder and HAProxy's text format write, the bytes after the
 * header reach the caller's handlers unchanged, and every mode refuses what it should.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
@ExtendWith(LeakDetectorExtension.class)
class InboundProxyProtocolTest {
  private final List<String> refusals = new ArrayList<>();
  private final List<Endpoints> ready = new ArrayList<>();
  private final StringBuilder received = new StringBuilder();
  private EmbeddedChannel ch;

  @AfterEach
  void close() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  private EmbeddedChannel channel(ProxyProtocolMode mode, String... trusted) {
    InboundProxyProtocol policy =
        InboundProxyProtocol.of(
            EdgeConfig.DEFAULT.withProxyProtocol(mode, List.of(trusted)),
            Duration.ofSeconds(5),
            (c, why) -> refusals.add(why));
    // like an accepted connection: the policy is installed while registering, before it is active
    ch = new EmbeddedChannel(false, false);
    ch.pipeline()
        .addLast(
            new io.netty.channel.ChannelInitializer<>() {
              @Override
              protected void initChannel(io.netty.channel.Channel c) {
                policy.install(
                    c,
                    endpoints -> {
                      ready.add(endpoints);
                      c.pipeline().addLast("app", new Recorder());
                    });
              }
            });
    try {
      ch.register();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return ch;
  }

  /** What the caller's own handler sees. */
  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      received.append(bytes.toString(US_ASCII));
      bytes.release();
    }
  }

  private void send(String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, US_ASCII));
    ch.runPendingTasks();
  }

  @Test
  void aVersion1HeaderFromATrustedSourceNamesTheClientAndTheRestPassesUnchanged() {
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    send("PROXY TCP4 203.0.113.7 198.51.100.2 51234 443\r\nGET / HTTP/1.1\r\n");
    assertThat(ready)
        .containsExactly(
            new Endpoints(
                new InetSocketAddress("203.0.113.7", 51234),
                new InetSocketAddress("198.51.100.2", 443),
                true));
    assertThat(received).hasToString("GET / HTTP/1.1\r\n");
    send("more");
    assertThat(received).hasToString("GET / HTTP/1.1\r\nmore");
    assertThat(ch.pipeline().names())
        .containsExactly("app", "DefaultChannelPipeline$TailContext#0");
    assertThat(refusals).isEmpty();
  }

  @Test
  void underAutoReadTheSocketIsAskedToReadAgainOnceTheHeldBytesAreDelivered() {
    // io_uring reads again only when asked: the read request the held bytes answered must go on
    List<String> readsAtTheSocket = new ArrayList<>();
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    ch.pipeline()
        .addFirst(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void read(ChannelHandlerContext ctx) {
                readsAtTheSocket.add(received.toString());
                ctx.read();
              }
            });
    send("PROXY TCP4 203.0.113.7 198.51.100.2 51234 443\r\nGET / HTTP/1.1\r\n");
    assertThat(received).hasToString("GET / HTTP/1.1\r\n");
    assertThat(readsAtTheSocket).contains("GET / HTTP/1.1\r\n");
  }

  @Test
  void aVersion2HeaderWrittenByNettysEncoderIsReadByteByByte() {
    channel(ProxyProtocolMode.REQUIRE, "127.0.0.0/8");
    ByteBuf header = encoded(ProxyProtocolVersion.V2, "2001:db8::7", 40000, "2001:db8::1", 8080);
    while (header.isReadable()) {
      ch.writeInbound(header.readRetainedSlice(1));
      ch.runPendingTasks();
    }
    header.release();
    send("SSH-2.0-x\r\n");
    assertThat(ready).hasSize(1);
    assertThat(ready.get(0).source()).isEqualTo(new InetSocketAddress("2001:db8::7", 40000));
    assertThat(ready.get(0).destination()).isEqualTo(new InetSocketAddress("2001:db8::1", 8080));
    assertThat(received).hasToString("SSH-2.0-x\r\n");
  }

  @Test
  void withUseAConnectionWithoutHeaderIsTakenAsItIsAtItsFirstByte() {
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    send("h");
    assertThat(ready).hasSize(1);
    assertThat(ready.get(0).fromHeader()).isFalse();
    send("i");
    assertThat(received).hasToString("hi");
  }

  @Test
  void withUseAnUntrustedSourceIsNotReadAtAll() {
    channel(ProxyProtocolMode.USE, "10.0.0.1");
    assertThat(ready).hasSize(1); // at once, before any byte
    send("PROXY TCP4 203.0.113.7 198.51.100.2 51234 443\r\n");
    assertThat(received).hasToString("PROXY TCP4 203.0.113.7 198.51.100.2 51234 443\r\n");
  }

  @Test
  void withRequireAnUntrustedSourceIsRefusedAtOnce() {
    channel(ProxyProtocolMode.REQUIRE, "10.0.0.0/8");
    assertThat(ch.isOpen()).isFalse();
    assertThat(ready).isEmpty();
    assertThat(refusals)
        .containsExactly(
            "source 127.0.0.1 is not in server.proxy_protocol_trusted (proxy_protocol ="
                + " \"require\")");
  }

  @Test
  void withRequireATrustedSourceWithoutHeaderIsRefused() {
    channel(ProxyProtocolMode.REQUIRE, "127.0.0.1");
    send("GET / HTTP/1.1\r\n");
    assertThat(ch.isOpen()).isFalse();
    assertThat(ready).isEmpty();
    assertThat(refusals).containsExactly("it does not start with a PROXY protocol header");
  }

  @Test
  void withRequireASilentTrustedSourceIsRefusedAtTheDeadlineAndUseGoesOn() {
    channel(ProxyProtocolMode.REQUIRE, "127.0.0.1");
    ch.advanceTimeBy(5, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(refusals).containsExactly("no PROXY protocol header within 5000 ms");
    ch.finishAndReleaseAll();

    refusals.clear();
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    ch.advanceTimeBy(5, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    assertThat(ch.isOpen()).isTrue();
    assertThat(ready).hasSize(1);
    send("220 smtp ready? no, the client spoke late");
    assertThat(received).hasToString("220 smtp ready? no, the client spoke late");
  }

  @Test
  void aMalformedHeaderIsRefusedNamingWhatIsWrong() {
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    send("PROXY TCP4 203.0.113.7 not-an-address 51234 443\r\n");
    assertThat(ch.isOpen()).isFalse();
    assertThat(ready).isEmpty();
    assertThat(refusals).singleElement().asString().startsWith("malformed PROXY protocol header: ");
  }

  @Test
  void theLocalCommandAndUnknownProtocolKeepTheSocketsAddresses() {
    channel(ProxyProtocolMode.USE, "127.0.0.1");
    send("PROXY UNKNOWN\r\nhello");
    assertThat(ready).singleElement().extracting(Endpoints::fromHeader).isEqualTo(false);
    assertThat(received).hasToString("hello");
  }

  @Test
  void rejectClosesAConnectionThatStartsWithAHeaderAndPassesOthersAtOnce() {
    channel(ProxyProtocolMode.REJECT);
    assertThat(ready).hasSize(1);
    send("PROX");
    assertThat(received).isEmpty();
    send("Y TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
    assertThat(ch.isOpen()).isFalse();
    assertThat(refusals)
        .containsExactly(
            "it starts with a PROXY protocol header and server.proxy_protocol is \"reject\"");
    ch.finishAndReleaseAll();

    channel(ProxyProtocolMode.REJECT);
    send("G");
    assertThat(received).hasToString("G");
    send("ET /");
    assertThat(received).hasToString("GET /");
  }

  static ByteBuf encoded(
      ProxyProtocolVersion version, String src, int srcPort, String dst, int dstPort) {
    EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
    encoder.writeOutbound(
        ProxyHeaders.message(
            version, new InetSocketAddress(src, srcPort), new InetSocketAddress(dst, dstPort)));
    ByteBuf out = encoder.readOutbound();
    encoder.finishAndReleaseAll();
    return out;
  }
}
