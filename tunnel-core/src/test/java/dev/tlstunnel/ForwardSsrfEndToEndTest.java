package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.testing.Curl;
import dev.tlstunnel.testing.ForwardRig;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.OriginServers;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SSRF protection by default on both routes: loopback (also as {@code ::ffff:127.0.0.1}, in decimal
 * and in octal), the cloud metadata address and a name that resolves to a private address are
 * refused by the client's direct policy and by the server's egress policy, with 403 from the HTTP
 * proxy (plain and CONNECT) and reply code 2 (not allowed by ruleset) from SOCKS5. A real service
 * listens on 127.0.0.1 so that a bypass would show.
 */
@Timeout(120)
class ForwardSsrfEndToEndTest {
  @TempDir static Path dir;
  static ForwardRig rig;
  static OriginServers loopback;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    rig =
        new ForwardRig(
            dir,
            List.of(
                ForwardRig.all("http-tunnel", ForwarderType.HTTP, RouteVia.TUNNEL),
                ForwardRig.all("http-direct", ForwarderType.HTTP, RouteVia.DIRECT),
                ForwardRig.all("socks-tunnel", ForwarderType.SOCKS5, RouteVia.TUNNEL),
                ForwardRig.all("socks-direct", ForwarderType.SOCKS5, RouteVia.DIRECT)));
    loopback = new OriginServers("127.0.0.1", "ssrf-bypassed", rig.fixture.pki());
    port = loopback.httpPort();
  }

  @AfterAll
  static void stop() {
    loopback.close();
    rig.close();
  }

  static final String[] TARGETS = {
    "127.0.0.1",
    "[::ffff:127.0.0.1]",
    "169.254.169.254",
    "2130706433",
    "0177.0.0.1",
    "0x7f.1",
    "private.fwd.test",
    "localhost",
    "[::1]",
    "[64:ff9b::7f00:1]"
  };

  @ParameterizedTest
  @ValueSource(strings = {"http-tunnel", "http-direct"})
  void httpProxyRefusesEveryForm(String forwarder) throws Exception {
    String proxy = "http://" + rig.proxy(forwarder);
    for (String host : TARGETS) {
      String url = "http://" + host + ":" + port + "/";
      Curl.Result plain = Curl.run("-w", "%{http_code}", "--proxy", proxy, url);
      assertThat(plain.out()).as(host).endsWith("403").doesNotContain("ssrf-bypassed");
      Curl.Result connect = Curl.run("--proxytunnel", "--proxy", proxy, url);
      assertThat(connect.exit()).as(host).isEqualTo(56);
      assertThat(connect.err()).as(host).contains("403");
    }
    assertThat(rig.state(forwarder).blocked()).isGreaterThanOrEqualTo(2L * TARGETS.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"socks-tunnel", "socks-direct"})
  void socks5RefusesEveryFormWithNotAllowed(String forwarder) throws Exception {
    String socks = rig.proxy(forwarder);
    for (String host : TARGETS) {
      Curl.Result r = Curl.run("--socks5-hostname", socks, "http://" + host + ":" + port + "/");
      assertThat(r.exit()).as(host + ": " + r.err()).isEqualTo(97);
      assertThat(r.err()).as(host).contains("(2)");
    }
    Curl.Result byAddress = Curl.run("--socks5", socks, "http://127.0.0.1:" + port + "/");
    assertThat(byAddress.err()).contains("(2)");
  }

  @Test
  void refusalsAreNamedAndLoggedRateLimited() throws Exception {
    try (LogCapture server = new LogCapture("dev.tlstunnel.server.EgressStream")) {
      String proxy = "http://" + rig.proxy("http-tunnel");
      Curl.Result first = Curl.run("--proxy", proxy, "http://169.254.169.254/latest/meta-data/");
      assertThat(first.out()).contains("169.254.169.254 is a cloud metadata address");
      Curl.Result second = Curl.run("--proxy", proxy, "http://private.fwd.test:" + port + "/");
      assertThat(second.out()).contains("'private.fwd.test' resolves to", "10.1.2.3 is private");
      for (int i = 0; i < 5; i++) {
        Curl.run("--proxy", proxy, "http://127.0.0.1:" + port + "/");
      }
      assertThat(server.warnings("refused")).hasSize(1);
    }
  }
}
