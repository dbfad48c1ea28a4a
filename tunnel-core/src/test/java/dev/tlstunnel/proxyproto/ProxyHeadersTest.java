package dev.tlstunnel.proxyproto;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ProxyProtocolVersion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The header a proxy writes to its local service, read back by Netty's decoder. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProxyHeadersTest {
  @Test
  void version1IsHaproxysTextLine() {
    EmbeddedChannel local = new EmbeddedChannel();
    ProxyHeaders.write(
        local,
        ProxyProtocolVersion.V1,
        new InetSocketAddress("203.0.113.7", 51234),
        new InetSocketAddress("198.51.100.2", 8080));
    local.flush();
    ByteBuf out = local.readOutbound();
    assertThat(out.toString(US_ASCII))
        .isEqualTo("PROXY TCP4 203.0.113.7 198.51.100.2 51234 8080\r\n");
    out.release();
    assertThat(local.pipeline().names()).doesNotContain("proxy-protocol-encoder");
    local.finishAndReleaseAll();
  }

  @Test
  void version2ReadsBackWithNettysDecoderAndMixedFamiliesBecomeIpv6() {
    HAProxyMessage read =
        roundTrip(
            ProxyProtocolVersion.V2,
            new InetSocketAddress("203.0.113.7", 51234),
            new InetSocketAddress("2001:db8::1", 443));
    try {
      assertThat(read.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
      assertThat(read.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
      assertThat(read.sourceAddress()).isIn("::ffff:203.0.113.7", "0:0:0:0:0:ffff:cb00:7107");
      assertThat(read.destinationAddress()).isIn("2001:db8::1", "2001:db8:0:0:0:0:0:1");
      assertThat(read.sourcePort()).isEqualTo(51234);
      assertThat(read.destinationPort()).isEqualTo(443);
    } finally {
      read.release();
    }
  }

  @Test
  void version1Ipv4ReadsBack() {
    HAProxyMessage read =
        roundTrip(
            ProxyProtocolVersion.V1,
            new InetSocketAddress("127.0.0.2", 40000),
            new InetSocketAddress("127.0.0.1", 80));
    try {
      assertThat(read.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
      assertThat(read.sourceAddress()).isEqualTo("127.0.0.2");
      assertThat(read.sourcePort()).isEqualTo(40000);
    } finally {
      read.release();
    }
  }

  private static HAProxyMessage roundTrip(
      ProxyProtocolVersion version, InetSocketAddress src, InetSocketAddress dst) {
    EmbeddedChannel local = new EmbeddedChannel();
    ProxyHeaders.write(local, version, src, dst);
    local.flush();
    ByteBuf bytes = local.readOutbound();
    local.finishAndReleaseAll();
    EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
    decoder.writeInbound(bytes);
    HAProxyMessage message = decoder.readInbound();
    decoder.finishAndReleaseAll();
    return message;
  }
}
