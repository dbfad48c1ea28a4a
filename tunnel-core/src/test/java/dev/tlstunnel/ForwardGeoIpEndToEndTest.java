package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.DomainStrategy;
import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.config.RouteRule;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.config.RoutingConfig;
import dev.tlstunnel.testing.Curl;
import dev.tlstunnel.testing.ForwardRig;
import dev.tlstunnel.testing.MmdbWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing by GeoIP country with a real MaxMind DB file (written by the test, read by MaxMind's
 * reader): 127.0.0.2 is "DE" and goes direct, 127.0.0.3 is "US" and takes the default, the tunnel.
 * Names are resolved on the client for the country rule ({@code ip_on_demand}).
 */
@Timeout(60)
class ForwardGeoIpEndToEndTest {
  @TempDir static Path dir;
  static ForwardRig rig;

  @BeforeAll
  static void start() throws Exception {
    Path mmdb =
        new MmdbWriter()
            .put("127.0.0.2/32", "DE")
            .put("127.0.0.3/32", "US")
            .write(dir.resolve("countries.mmdb"));
    RoutingConfig byCountry =
        new RoutingConfig(
            List.of(
                new RouteRule(null, null, null, null, null, null, List.of("DE"), RouteVia.DIRECT)),
            RouteVia.TUNNEL,
            DomainStrategy.IP_ON_DEMAND,
            mmdb);
    ForwarderConfig socks =
        ForwarderConfig.of("geo-socks", ForwarderType.SOCKS5, 0)
            .withRouting(byCountry)
            .withDirect(EgressRules.allowing("127.0.0.2/32"));
    ForwarderConfig http =
        ForwarderConfig.of("geo-http", ForwarderType.HTTP, 0)
            .withRouting(byCountry)
            .withDirect(EgressRules.allowing("127.0.0.2/32"));
    rig = new ForwardRig(dir, List.of(socks, http));
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void countryRuleSendsGermanAddressesDirect() throws Exception {
    String socks = rig.proxy("geo-socks");
    int direct = rig.direct.httpPort();
    int tunnel = rig.tunnel.httpPort();
    assertThat(Curl.run("--socks5-hostname", socks, "http://direct.fwd.test:" + direct + "/").out())
        .isEqualTo("direct");
    assertThat(Curl.run("--socks5-hostname", socks, "http://tunnel.fwd.test:" + tunnel + "/").out())
        .isEqualTo("tunnel");
    assertThat(Curl.run("--socks5", socks, "http://127.0.0.2:" + direct + "/").out())
        .isEqualTo("direct");
    String http = "http://" + rig.proxy("geo-http");
    assertThat(Curl.run("--proxy", http, "http://direct.fwd.test:" + direct + "/").out())
        .isEqualTo("direct");
    assertThat(Curl.run("--proxy", http, "http://127.0.0.3:" + tunnel + "/").out())
        .isEqualTo("tunnel");
    assertThat(rig.state("geo-socks").direct()).isEqualTo(2);
    assertThat(rig.state("geo-socks").tunneled()).isEqualTo(1);
  }
}
