package dev.tlstunnel.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.DomainStrategy;
import dev.tlstunnel.config.RouteRule;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.config.RoutingConfig;
import dev.tlstunnel.testing.MmdbWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Routing rules on their own, with a real .mmdb read by MaxMind's reader and a fake resolver. */
@Timeout(10)
class RouterTest {
  @TempDir static Path dir;
  static GeoIp geoIp;
  final List<String> lookups = new ArrayList<>();

  static final Map<String, String> DNS =
      Map.of("de.example", "81.2.69.1", "us.example", "8.8.8.8", "lan.example", "10.1.1.1");

  @BeforeAll
  static void database() throws Exception {
    Path file =
        new MmdbWriter()
            .put("81.2.69.0/24", "DE")
            .put("8.8.8.0/24", "US")
            .put("1.0.0.0/8", "AU")
            .write(dir.resolve("countries.mmdb"));
    geoIp = GeoIp.open(file);
  }

  @AfterAll
  static void close() {
    geoIp.close();
  }

  private InetAddress[] lookup(String host) {
    lookups.add(host);
    try {
      String a = DNS.get(host);
      return a == null ? new InetAddress[0] : new InetAddress[] {InetAddress.getByName(a)};
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static RouteRule rule(
      List<String> domain,
      List<String> suffix,
      List<String> keyword,
      List<String> regex,
      List<String> cidr,
      List<String> port,
      List<String> country,
      RouteVia via) {
    return new RouteRule(domain, suffix, keyword, regex, cidr, port, country, via);
  }

  private Router router(DomainStrategy strategy, RouteRule... rules) {
    return new Router(
        new RoutingConfig(List.of(rules), RouteVia.TUNNEL, strategy, null), geoIp, this::lookup);
  }

  @Test
  void readsCountriesWithMaxMindsReader() throws Exception {
    assertThat(geoIp.country(InetAddress.getByName("81.2.69.160"))).isEqualTo("DE");
    assertThat(geoIp.country(InetAddress.getByName("8.8.8.8"))).isEqualTo("US");
    assertThat(geoIp.country(InetAddress.getByName("1.2.3.4"))).isEqualTo("AU");
    assertThat(geoIp.country(InetAddress.getByName("9.9.9.9"))).isNull();
    assertThat(geoIp.country(InetAddress.getByName("::1"))).isNull();
  }

  @Test
  void domainMatchersAndFirstMatchWins() {
    Router r =
        router(
            DomainStrategy.AS_IS,
            rule(List.of("exact.example"), null, null, null, null, null, null, RouteVia.BLOCK),
            rule(null, List.of("corp.example"), null, null, null, null, null, RouteVia.DIRECT),
            rule(null, null, List.of("ads"), null, null, null, null, RouteVia.BLOCK),
            rule(null, null, null, List.of("^cdn[0-9]+\\..*"), null, null, null, RouteVia.DIRECT),
            rule(null, List.of("example"), null, null, null, List.of("22"), null, RouteVia.BLOCK));
    assertThat(r.route("EXACT.example.", 80).via()).isEqualTo(RouteVia.BLOCK);
    assertThat(r.route("corp.example", 80).ruleText()).isEqualTo("rule 2 (domain_suffix)");
    assertThat(r.route("git.corp.example", 80).via()).isEqualTo(RouteVia.DIRECT);
    assertThat(r.route("notcorp.example", 80).via()).isEqualTo(RouteVia.TUNNEL);
    assertThat(r.route("myads.net", 443).via()).isEqualTo(RouteVia.BLOCK);
    assertThat(r.route("cdn12.net", 443).via()).isEqualTo(RouteVia.DIRECT);
    assertThat(r.route("ssh.example", 22).ruleText()).isEqualTo("rule 5 (domain_suffix + port)");
    assertThat(r.route("ssh.example", 23).ruleText()).isEqualTo("default");
    assertThat(lookups).isEmpty();
  }

  @Test
  void asIsMatchesAddressRulesOnAddressTargetsOnly() {
    Router r =
        router(
            DomainStrategy.AS_IS,
            rule(null, null, null, null, List.of("10.0.0.0/8"), null, null, RouteVia.DIRECT),
            rule(null, null, null, null, null, null, List.of("DE"), RouteVia.DIRECT));
    assertThat(r.mayResolve("lan.example")).isFalse();
    assertThat(r.route("10.1.1.1", 80).via()).isEqualTo(RouteVia.DIRECT);
    assertThat(r.route("::ffff:10.1.1.1", 80).via()).isEqualTo(RouteVia.DIRECT);
    assertThat(r.route("81.2.69.1", 80).ruleText()).isEqualTo("rule 2 (country)");
    assertThat(r.route("lan.example", 80).via()).isEqualTo(RouteVia.TUNNEL);
    assertThat(lookups).isEmpty();
  }

  @Test
  void ipOnDemandResolvesAtTheFirstAddressRule() {
    Router r =
        router(
            DomainStrategy.IP_ON_DEMAND,
            rule(null, List.of("us.example"), null, null, null, null, null, RouteVia.BLOCK),
            rule(null, null, null, null, null, null, List.of("DE"), RouteVia.DIRECT));
    assertThat(r.mayResolve("de.example")).isTrue();
    Router.Decision d = r.route("de.example", 443);
    assertThat(d.via()).isEqualTo(RouteVia.DIRECT);
    assertThat(d.addresses()).extracting(InetAddress::getHostAddress).containsExactly("81.2.69.1");
    assertThat(r.route("us.example", 443).via()).isEqualTo(RouteVia.BLOCK);
    assertThat(lookups).containsExactly("de.example");
  }

  @Test
  void ipIfNonMatchResolvesOnlyWhenNoRuleMatchedByName() {
    Router r =
        router(
            DomainStrategy.IP_IF_NON_MATCH,
            rule(null, null, null, null, List.of("8.8.8.0/24"), null, null, RouteVia.BLOCK),
            rule(
                null,
                List.of("example"),
                null,
                null,
                null,
                List.of("8443"),
                null,
                RouteVia.DIRECT));
    assertThat(r.route("us.example", 8443).via()).isEqualTo(RouteVia.DIRECT);
    assertThat(lookups).isEmpty();
    assertThat(r.route("us.example", 443).via()).isEqualTo(RouteVia.BLOCK);
    assertThat(r.route("nx.example", 443).via()).isEqualTo(RouteVia.TUNNEL);
    assertThat(lookups).containsExactly("us.example", "nx.example");
  }
}
