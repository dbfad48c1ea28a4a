package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code [[forwarders]]}, {@code allow_forward} and {@code [server.egress]} from TOML. */
@Timeout(10)
class ForwardingConfigTest {
  static final String KEY = "0123456789abcdef-secret";
  static final String CLIENT =
      "[client]\nserver_addr = \"tunnel.example.com\"\nserver_port = 7000\nauth_key = \""
          + KEY
          + "\"\n";
  @TempDir Path dir;

  private String server() throws Exception {
    Files.writeString(dir.resolve("c.pem"), "x");
    Files.writeString(dir.resolve("k.pem"), "x");
    return "[server]\nbind_port = 7000\ncert_path = \"c.pem\"\nkey_path = \"k.pem\"\nauth_key = \""
        + KEY
        + "\"\n";
  }

  private List<String> clientProblems(String toml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseClient(toml, dir))
        .problems();
  }

  @Test
  void forwarderWithEveryKey() throws Exception {
    Files.writeString(dir.resolve("geo.mmdb"), "x");
    ClientConfig c =
        ConfigLoader.parseClient(
            CLIENT
                + """
                [[forwarders]]
                name = "web"
                type = "http"
                bind_addr = "127.0.0.1"
                bind_port = 8080
                username = "me"
                password = "pw"
                max_connections = 64
                max_request_head = 8192
                handshake_timeout = "5s"
                idle_timeout = "2m"
                connect_timeout = "3s"
                [forwarders.bind_retry]
                max_retries = 3
                [forwarders.direct]
                allow_cidrs = ["192.168.1.0/24"]
                deny_ports = [25, "6000-6010"]
                [forwarders.routing]
                default = "direct"
                domain_strategy = "ip_if_non_match"
                geoip_db = "geo.mmdb"
                [[forwarders.routing.rules]]
                domain_suffix = ["corp.example"]
                port = [443]
                via = "tunnel"
                [[forwarders.routing.rules]]
                country = ["CN", "RU"]
                via = "block"

                [[forwarders]]
                name = "socks"
                type = "socks5"
                bind_port = 1080
                """,
            dir);
    assertThat(c.proxies()).isEmpty();
    ForwarderConfig web = c.forwarders().get(0);
    assertThat(web.type()).isEqualTo(ForwarderType.HTTP);
    assertThat(web.bindPort()).isEqualTo(8080);
    assertThat(web.maxConnections()).isEqualTo(64);
    assertThat(web.maxRequestHead()).isEqualTo(8192);
    assertThat(web.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(web.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(web.bindRetry().maxRetries()).isEqualTo(3);
    assertThat(web.direct().denyPorts()).containsExactly("25", "6000-6010");
    assertThat(web.routing().defaultVia()).isEqualTo(RouteVia.DIRECT);
    assertThat(web.routing().domainStrategy()).isEqualTo(DomainStrategy.IP_IF_NON_MATCH);
    assertThat(web.routing().geoipDb()).isEqualTo(dir.resolve("geo.mmdb").toAbsolutePath());
    assertThat(web.routing().rules()).hasSize(2);
    assertThat(web.routing().rules().get(1).country()).containsExactly("CN", "RU");
    assertThat(web.toString()).doesNotContain("pw");
    ForwarderConfig socks = c.forwarders().get(1);
    assertThat(socks.bindAddr()).isEqualTo("127.0.0.1");
    assertThat(socks.maxConnections()).isEqualTo(ForwarderConfig.DEFAULT_MAX_CONNECTIONS);
    assertThat(socks.routing().defaultVia()).isEqualTo(RouteVia.TUNNEL);
    assertThat(socks.routing().domainStrategy()).isEqualTo(DomainStrategy.AS_IS);
  }

  @Test
  void badForwardersNameTheKeyPath() {
    List<String> problems =
        clientProblems(
            CLIENT
                + """
                [[proxies]]
                name = "web"
                publish_port = 8000
                local_port = 80

                [[forwarders]]
                name = "web"
                type = "ftp"
                bind_port = 70000
                username = "only-me"
                max_request_head = 10
                idle_timeout = "0s"
                colour = "red"
                [forwarders.direct]
                allow_cidrs = ["10.0.0.0/40"]
                [forwarders.routing]
                default = "sideways"
                [[forwarders.routing.rules]]
                via = "direct"
                [[forwarders.routing.rules]]
                domain_regex = ["(unclosed"]
                cidr = ["not-an-address"]
                country = ["Germany"]
                via = "tunnel"
                """);
    assertThat(problems)
        .contains(
            "forwarders[0].type: must be http or socks5, got 'ftp'",
            "forwarders[0].colour: unknown key (valid keys: name, type, bind_addr, bind_port,"
                + " username, password, max_connections, max_request_head, handshake_timeout,"
                + " idle_timeout, connect_timeout, bind_retry, routing, direct)",
            "forwarders[0].routing.default: must be direct, tunnel or block, got 'sideways'",
            "forwarders[0].name: duplicate name 'web' (also proxies[0].name)",
            "forwarders[0].bind_port: must be between 0 and 65535, got 70000",
            "forwarders[0].password: missing: username and password go together",
            "forwarders[0].max_request_head: must be between 1024 and 1048576, got 10",
            "forwarders[0].idle_timeout: must be positive, got 0s",
            "forwarders[0].direct.allow_cidrs[0]: '10.0.0.0/40': the prefix length must be between 0 and 32",
            "forwarders[0].routing.rules[0]: sets no matcher (domain, domain_suffix, domain_keyword,"
                + " domain_regex, cidr, port or country)",
            "forwarders[0].routing.rules[1].cidr[0]: 'not-an-address' is not an IP address or CIDR range (e.g."
                + " 10.0.0.0/8 or ::1)",
            "forwarders[0].routing.rules[1].country[0]: must be an ISO 3166 code of two capital"
                + " letters such as \"DE\", got 'Germany'",
            "forwarders[0].routing.geoip_db: missing: country rules need a GeoIP database (.mmdb)");
    assertThat(problems)
        .anyMatch(
            p ->
                p.startsWith(
                    "forwarders[0].routing.rules[1].domain_regex[0]: not a valid regular expression"));
  }

  @Test
  void serverEgressIsOffByDefaultAndReadsItsPolicy() throws Exception {
    ServerConfig off = ConfigLoader.parseServer(server(), dir);
    assertThat(off.egress().allowForward()).isFalse();
    ServerConfig on =
        ConfigLoader.parseServer(
            server()
                + """
                allow_forward = true
                [server.egress]
                allow_cidrs = ["10.20.0.0/16"]
                deny_cidrs = ["0.0.0.0/0"]
                allow_ports = [443, "8000-8100"]
                connect_timeout = "4s"
                [server.egress.clients.laptop]
                allow_cidrs = ["192.168.7.7"]
                [server.egress.clients.ci]
                """,
            dir);
    EgressConfig e = on.egress();
    assertThat(e.allowForward()).isTrue();
    assertThat(e.rules().allowPorts()).containsExactly("443", "8000-8100");
    assertThat(e.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(e.clients()).containsOnlyKeys("laptop", "ci");
    assertThat(e.clients().get("laptop").allowCidrs()).containsExactly("192.168.7.7");
  }

  @Test
  void badServerEgressNamesTheKeyPath() throws Exception {
    String toml =
        server()
            + """
            allow_forward = "yes"
            [server.egress]
            deny_ports = ["0"]
            [server.egress.clients."bad id!"]
            [server.egress.clients.ok]
            allow_cidrs = ["::/129"]
            """;
    List<String> problems =
        catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseServer(toml, dir))
            .problems();
    assertThat(problems)
        .contains(
            "server.allow_forward: expected a boolean, got string",
            "server.egress.deny_ports[0]: '0': ports must be between 1 and 65535, the first not above the last",
            "server.egress.clients.bad id!: must match [A-Za-z0-9._-]{1,64}, got 'bad id!'",
            "server.egress.clients.ok.allow_cidrs[0]: '::/129': the prefix length must be between 0 and 128");
  }
}
