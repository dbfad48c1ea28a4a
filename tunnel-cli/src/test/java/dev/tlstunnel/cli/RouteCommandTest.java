package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.SessionState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class RouteCommandTest {
  @TempDir Path dir;

  private Path config() throws Exception {
    Path file = dir.resolve("client.toml");
    Files.writeString(
        file,
        """
        [client]
        server_addr = "tunnel.example.com"
        server_port = 7000
        auth_key = "0123456789abcdef-secret"

        [[forwarders]]
        name = "web"
        type = "http"
        bind_port = 8080
        [forwarders.direct]
        allow_cidrs = ["192.168.1.0/24"]
        [forwarders.routing]
        default = "tunnel"
        [[forwarders.routing.rules]]
        domain_suffix = ["corp.example"]
        via = "direct"
        [[forwarders.routing.rules]]
        cidr = ["10.0.0.0/8", "192.168.0.0/16"]
        via = "direct"
        [[forwarders.routing.rules]]
        domain_keyword = ["ads"]
        via = "block"
        """);
    Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void printsRouteRuleAddressesAndPolicy() throws Exception {
    Path file = config();
    CliRun lan = CliRun.run("route", "test", "-c", file.toString(), "192.168.1.20:22");
    assertThat(lan.code()).as(lan.err()).isZero();
    assertThat(lan.out())
        .isEqualTo(
            "forwarder 'web' (http on 127.0.0.1:8080): 192.168.1.20:22 -> direct by rule 2 (cidr)\n"
                + "  addresses: 192.168.1.20\n"
                + "  direct policy: allowed\n");
    CliRun tenNet = CliRun.run("route", "test", "-c", file.toString(), "10.1.2.3");
    assertThat(tenNet.out())
        .contains(
            "10.1.2.3:443 -> direct by rule 2 (cidr)",
            "direct policy: refused: 10.1.2.3 is private (RFC 1918) and not in allow_cidrs");
    CliRun ads =
        CliRun.run("route", "test", "-c", file.toString(), "-f", "web", "ads.tracker.invalid:80");
    assertThat(ads.out()).contains("-> block by rule 3 (domain_keyword)", "blocked:");
    CliRun other = CliRun.run("route", "test", "-c", file.toString(), "[2001:db8::1]:80");
    assertThat(other.out())
        .contains("[2001:db8::1]:80 -> tunnel by default", "the server resolves the name itself");
  }

  @Test
  void badTargetsAndUnknownForwardersAreNamed() throws Exception {
    Path file = config();
    CliRun bad = CliRun.run("route", "test", "-c", file.toString(), "host:99999");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("'host:99999' is not HOST or HOST:PORT");
    CliRun none = CliRun.run("route", "test", "-c", file.toString(), "-f", "nope", "a.example");
    assertThat(none.err()).contains("has no forwarder named 'nope'");
  }

  @Test
  void statusShowsForwarders() throws Exception {
    ClientStatus status =
        new ClientStatus(
            "pc",
            "tunnel.example.com:7000",
            SessionState.CONNECTED,
            null,
            null,
            null,
            List.of(),
            null,
            null,
            List.of(
                new ForwarderState(
                    "web",
                    "http",
                    "127.0.0.1:8080",
                    ProxyStatus.HEALTHY,
                    null,
                    2,
                    10,
                    0,
                    3,
                    6,
                    1,
                    2048,
                    3 << 20,
                    "evil.example:80: blocked"),
                new ForwarderState(
                    "socks",
                    "socks5",
                    "127.0.0.1:1080",
                    ProxyStatus.UNHEALTHY,
                    "Port 1080 is already in use by another process",
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    null)),
            List.of());
    // What the admin API sends reads back as the same status.
    ClientStatus parsed = ClientStatus.fromJson(status.toJson());
    assertThat(parsed).isEqualTo(status);
    String text = StatusTable.render(parsed, Instant.now());
    assertThat(text)
        .contains(
            "FORWARDER  TYPE    LISTEN          STATUS     ACTIVE  DIRECT/TUNNEL/BLOCKED  IN/OUT         DETAIL",
            "web        http    127.0.0.1:8080  healthy    2       3/6/1                  2.0KiB/3.0MiB"
                + "  last error: evil.example:80: blocked",
            "socks      socks5  127.0.0.1:1080  unhealthy  0       0/0/0                  0B/0B"
                + "          Port 1080 is already in use by another process");
    assertThat(text).doesNotContain("No proxies configured");
  }
}
