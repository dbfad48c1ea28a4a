package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.egress.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which address a forwarding header chain yields, and that only trusted peers are believed. */
@Timeout(10)
class ForwardedForTest {
  private final ForwardedFor trusted =
      new ForwardedFor(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("10.0.0.0/8")));

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  private String client(String peer, List<String> xff, List<String> forwarded) throws Exception {
    InetSocketAddress a = trusted.client(ip(peer), xff, forwarded);
    return a == null ? null : a.getAddress().getHostAddress();
  }

  @Test
  void rightmostUntrustedHopIsTheClient() throws Exception {
    assertThat(client("127.0.0.1", List.of("203.0.113.9"), List.of())).isEqualTo("203.0.113.9");
    assertThat(client("127.0.0.1", List.of("198.51.100.1, 203.0.113.9, 10.0.0.5"), List.of()))
        .isEqualTo("203.0.113.9");
    assertThat(client("127.0.0.1", List.of("198.51.100.1", "10.0.0.5"), List.of()))
        .isEqualTo("198.51.100.1");
  }

  @Test
  void anUntrustedPeerIsNeverBelieved() throws Exception {
    assertThat(client("192.0.2.1", List.of("203.0.113.9"), List.of())).isNull();
  }

  @Test
  void forwardedIsReadWhenThereIsNoXForwardedFor() throws Exception {
    assertThat(client("127.0.0.1", List.of(), List.of("for=192.0.2.60;proto=https;by=10.0.0.1")))
        .isEqualTo("192.0.2.60");
    assertThat(client("127.0.0.1", List.of(), List.of("for=\"[2001:db8:cafe::17]:4711\"")))
        .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    assertThat(client("127.0.0.1", List.of("198.51.100.7"), List.of("for=192.0.2.60")))
        .isEqualTo("198.51.100.7");
  }

  @Test
  void garbageAndAllTrustedChains() throws Exception {
    assertThat(client("127.0.0.1", List.of("unknown"), List.of())).isNull();
    assertThat(client("127.0.0.1", List.of("evil.example, 203.0.113.9"), List.of()))
        .isEqualTo("203.0.113.9");
    assertThat(client("127.0.0.1", List.of("10.1.1.1, 10.2.2.2"), List.of())).isEqualTo("10.1.1.1");
    assertThat(client("127.0.0.1", List.of(), List.of())).isNull();
    assertThat(client("127.0.0.1", List.of("203.0.113.9:5555"), List.of()))
        .isEqualTo("203.0.113.9");
  }
}
