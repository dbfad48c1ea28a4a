package dev.tlstunnel.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class EgressPolicyTest {
  private static InetAddress literal(String s) {
    return Addresses.literal(s).orElseThrow(() -> new AssertionError("not a literal: " + s));
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "2130706433, 127.0.0.1",
    "0177.0.0.1, 127.0.0.1",
    "0x7f.1, 127.0.0.1",
    "127.1, 127.0.0.1",
    "0x7f000001, 127.0.0.1",
    "017700000001, 127.0.0.1",
    "10.0.513, 10.0.2.1",
    "[::1], 0:0:0:0:0:0:0:1"
  })
  void literalsAreReadLikeInetAton(String text, String address) throws Exception {
    assertThat(literal(text)).isEqualTo(InetAddress.getByName(address));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.",
        "0x",
        "08.1.1.1",
        "fe80::1%eth0",
        "1.2.3.4a"
      })
  void namesAndBadLiteralsAreNotAddresses(String text) {
    if (text.equals("0x")) {
      assertThat(Addresses.literal(text)).contains(literal("0.0.0.0"));
      return;
    }
    assertThat(Addresses.literal(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "::ffff:127.0.0.1, 127.0.0.1",
    "::127.0.0.1, 127.0.0.1",
    "64:ff9b::7f00:1, 127.0.0.1",
    "2002:7f00:1::, 127.0.0.1",
    "2002:a9fe:a9fe::1, 169.254.169.254",
    "2001:0:4136:e378:8000:63bf:80ff:fffe, 127.0.0.1"
  })
  void embeddedIpv4FormsAreCanonicalized(String v6, String v4) throws Exception {
    assertThat(Addresses.canonical(literal(v6))).isEqualTo(InetAddress.getByName(v4));
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, loopback",
    "::ffff:127.0.0.1, loopback",
    "64:ff9b::a00:1, private (RFC 1918)",
    "2002:c0a8:0101::1, private (RFC 1918)",
    "10.1.2.3, private (RFC 1918)",
    "172.31.255.255, private (RFC 1918)",
    "192.168.0.1, private (RFC 1918)",
    "169.254.1.1, link-local",
    "100.64.0.1, shared address space (100.64.0.0/10)",
    "0.1.2.3, in 0.0.0.0/8 (this network)",
    "224.0.0.1, multicast",
    "240.0.0.1, reserved (240.0.0.0/4)",
    "255.255.255.255, reserved (240.0.0.0/4)",
    "fd12::1, unique-local",
    "fe80::1, link-local",
    "ff02::1, multicast",
    "::, unspecified",
    "::1, loopback",
    "169.254.169.254, a cloud metadata address",
    "fd00:ec2::254, a cloud metadata address",
    "100.100.100.200, a cloud metadata address",
    "::ffff:169.254.169.254, a cloud metadata address",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2, documentation (192.0.2.0/24)",
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7, reserved for IETF protocols (2001::/23)"
  })
  void nonGlobalAddressesAreNamed(String address, String why) {
    assertThat(NonGlobal.why(literal(address))).isEqualTo(why);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "2002:808:808::1",
        "64:ff9b::808:808"
      })
  void globalAddressesPass(String address) {
    assertThat(NonGlobal.why(literal(address))).isNull();
    assertThat(EgressPolicy.DEFAULT.check(literal(address), 443).allowed()).isTrue();
  }

  @Test
  void allowListLiftsTheBlockAndMetadataNeedsItsOwnEntry() {
    EgressPolicy policy =
        EgressPolicy.parse(
            List.of("127.0.0.2/32", "169.254.0.0/16"), List.of(), List.of(), List.of());
    assertThat(policy.check(literal("127.0.0.2"), 80).allowed()).isTrue();
    assertThat(policy.check(literal("::ffff:127.0.0.2"), 80).allowed()).isTrue();
    assertThat(policy.check(literal("127.0.0.1"), 80).reason())
        .isEqualTo("127.0.0.1 is loopback and not in allow_cidrs");
    assertThat(policy.check(literal("169.254.1.1"), 80).allowed()).isTrue();
    assertThat(policy.check(literal("169.254.169.254"), 80).allowed()).isFalse();
    EgressPolicy exact =
        EgressPolicy.parse(List.of("169.254.169.254"), List.of(), List.of(), List.of());
    assertThat(exact.check(literal("169.254.169.254"), 80).allowed()).isTrue();
  }

  @Test
  void denyCidrsAndPorts() {
    EgressPolicy policy =
        EgressPolicy.parse(
            List.of(), List.of("8.8.0.0/16"), List.of("80", "8000-8100"), List.of("8080"));
    assertThat(policy.check(literal("8.8.8.8"), 80).reason())
        .isEqualTo("8.8.8.8 is in deny_cidrs (8.8.0.0/16)");
    assertThat(policy.check(literal("1.1.1.1"), 80).allowed()).isTrue();
    assertThat(policy.check(literal("1.1.1.1"), 8050).allowed()).isTrue();
    assertThat(policy.check(literal("1.1.1.1"), 443).reason())
        .isEqualTo("port 443 is not in allow_ports [80, 8000-8100]");
    assertThat(policy.check(literal("1.1.1.1"), 8080).reason())
        .isEqualTo("port 8080 is in deny_ports (8080)");
    EgressPolicy denyOnly = EgressPolicy.parse(List.of(), List.of(), List.of(), List.of("25"));
    assertThat(denyOnly.check(literal("1.1.1.1"), 25).reason())
        .isEqualTo("port 25 is in deny_ports (25)");
  }

  @Test
  void aWhitelistIsDenyAllPlusAllow() {
    EgressPolicy policy =
        EgressPolicy.parse(
            List.of("93.184.216.0/24"), List.of("0.0.0.0/0", "::/0"), List.of(), List.of());
    assertThat(policy.check(literal("93.184.216.34"), 443).allowed()).isTrue();
    assertThat(policy.check(literal("8.8.8.8"), 443).allowed()).isFalse();
  }

  @Test
  void everyResolvedAddressIsCheckedAndTheCheckedOnesAreDialed() {
    InetAddress[] mixed = {literal("8.8.8.8"), literal("10.0.0.1")};
    TargetResolver.Result r =
        TargetResolver.check("mixed.example", mixed, 80, EgressPolicy.DEFAULT);
    assertThat(r.ok()).isFalse();
    assertThat(r.failure().failure()).isEqualTo(EgressFailure.NOT_ALLOWED);
    assertThat(r.failure().getMessage())
        .isEqualTo(
            "'mixed.example' resolves to an address: 10.0.0.1 is private (RFC 1918) and not in allow_cidrs");
    TargetResolver.Result ok =
        TargetResolver.check(
            "dns.example", new InetAddress[] {literal("::ffff:8.8.8.8")}, 53, EgressPolicy.DEFAULT);
    assertThat(ok.addresses()).hasSize(1);
    assertThat(ok.addresses().get(0).getAddress()).isEqualTo(literal("8.8.8.8"));
    assertThat(ok.addresses().get(0).isUnresolved()).isFalse();
    assertThat(
            TargetResolver.check("nx.example", new InetAddress[0], 53, EgressPolicy.DEFAULT)
                .failure()
                .failure())
        .isEqualTo(EgressFailure.DNS_FAILED);
  }

  @Test
  void badEntriesAreNamed() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
        .hasMessage("'10.0.0.0/33': the prefix length must be between 0 and 32");
    assertThatThrownBy(() -> Cidr.parse("example.com/8"))
        .hasMessage("'example.com/8' is not an IP address or CIDR range (e.g. 10.0.0.0/8 or ::1)");
    assertThatThrownBy(() -> PortRange.parse("90-80"))
        .hasMessage("'90-80': ports must be between 1 and 65535, the first not above the last");
    assertThatThrownBy(() -> PortRange.parse("http"))
        .hasMessage("'http' is not a port or a range like 8000-8100");
  }
}
