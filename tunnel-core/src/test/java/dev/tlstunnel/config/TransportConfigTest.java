package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tlstunnel.egress.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transport keys of {@code [server]} and {@code [client]}: mapping and every refusal. */
@Timeout(10)
class TransportConfigTest {
  private static final String KEY = "0123456789abcdef-secret";

  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.writeString(dir.resolve("server.crt"), "cert");
    Files.writeString(dir.resolve("server.key"), "key");
    Files.writeString(dir.resolve("index.html"), "<h1>hi</h1>");
  }

  private ServerConfig server(String extra) throws ConfigException {
    return ConfigLoader.parseServer(
        "[server]\nbind_port = 7000\nauth_key = \"" + KEY + "\"\n" + extra, dir);
  }

  private static final String CERTS = "cert_path = \"server.crt\"\nkey_path = \"server.key\"\n";

  private List<String> serverProblems(String extra) {
    return catchThrowableOfType(ConfigException.class, () -> server(extra)).problems();
  }

  private ClientConfig client(String extra) throws ConfigException {
    return ConfigLoader.parseClient(
        "[client]\nserver_addr = \"t.example\"\nserver_port = 443\nauth_key = \""
            + KEY
            + "\"\n"
            + extra
            + "\n[[proxies]]\nname = \"web\"\npublish_port = 8080\nlocal_port = 3000\n",
        dir);
  }

  private List<String> clientProblems(String extra) {
    return catchThrowableOfType(ConfigException.class, () -> client(extra)).problems();
  }

  @Test
  void defaultsAreTlsDialedDirectly() throws Exception {
    assertThat(server(CERTS).transport()).isEqualTo(ServerTransportConfig.DEFAULT);
    ClientTransportConfig c = client("").transport();
    assertThat(c).isEqualTo(ClientTransportConfig.DEFAULT);
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void behindNginxNeedsNoCertificate() throws Exception {
    ServerTransportConfig t =
        server(
                """
                transport = "wss"
                path = "/tunnel"
                behind_proxy = true
                trusted_proxies = ["127.0.0.1/32", "::1"]
                decoy_page = "index.html"
                """)
            .transport();
    assertThat(t)
        .isEqualTo(
            new ServerTransportConfig(
                TunnelTransport.WSS,
                "/tunnel",
                dir.resolve("index.html").toAbsolutePath(),
                true,
                List.of("127.0.0.1/32", "::1")));
  }

  @Test
  void clientKeysMapToTheRecord() throws Exception {
    ClientTransportConfig t =
        client(
                """
                transport = "H2"
                host = "cdn.example:443"
                headers = { "X-Token" = "abc" }
                ping_interval = "5s"
                proxy_url = "socks5://me:p%40ss@127.0.0.1:1080"
                """)
            .transport();
    assertThat(t.transport()).isEqualTo(TunnelTransport.H2);
    assertThat(t.host()).isEqualTo("cdn.example:443");
    assertThat(t.headers()).isEqualTo(Map.of("X-Token", "abc"));
    assertThat(t.pingInterval()).isEqualTo(Duration.ofSeconds(5));
    ProxyUrl url = ProxyUrl.parse(t.proxyUrl());
    assertThat(url).isEqualTo(new ProxyUrl(ProxyUrl.Kind.SOCKS5, "127.0.0.1", 1080, "me", "p@ss"));
    assertThat(t.toString()).contains("socks5://me:***@127.0.0.1:1080").doesNotContain("p%40ss");
  }

  @Test
  void behindProxyWithTlsIsRefusedAndSaysWhy() {
    assertThat(serverProblems("behind_proxy = true\n"))
        .containsExactly(
            "server.behind_proxy: needs transport = \"wss\" or \"h2\": a reverse proxy that"
                + " terminates TLS can pass on only an HTTP tunnel (WebSocket or HTTP/2), not yamux"
                + " over TLS");
  }

  @Test
  void behindProxyWithCertificatesIsRefusedAndSaysWhy() {
    assertThat(serverProblems("transport = \"wss\"\nbehind_proxy = true\n" + CERTS))
        .containsExactly(
            "server.behind_proxy: cannot be combined with cert_path / key_path: the proxy in front"
                + " terminates TLS and this port speaks cleartext; remove cert_path and key_path,"
                + " or set behind_proxy = false to terminate TLS here");
  }

  @Test
  void everyBadValueNamesItsKey() {
    assertThat(
            serverProblems(
                CERTS
                    + """
                    transport = "quic"
                    trusted_proxies = ["10.0.0.0/33", "proxy.local"]
                    path = "no-slash"
                    decoy_page = "missing.html"
                    """))
        .containsExactlyInAnyOrder(
            "server.transport: must be one of tls, wss or h2, got 'quic'",
            "server.trusted_proxies: only the wss and h2 transports carry X-Forwarded-For /"
                + " Forwarded headers",
            "server.path: must start with '/' and hold only printable ASCII without spaces, '?' or"
                + " '#' (at most 1024 characters), got 'no-slash'",
            "server.decoy_page: only the wss and h2 transports serve HTTP");
    assertThat(
            serverProblems(
                CERTS
                    + "transport = \"wss\"\ntrusted_proxies = [\"10.0.0.0/33\", \"proxy.local\"]\n"))
        .containsExactly(
            "server.trusted_proxies[0]: '10.0.0.0/33': the prefix length must be between 0 and 32",
            "server.trusted_proxies[1]: 'proxy.local' is not an IP address or CIDR range (e.g."
                + " 10.0.0.0/8 or ::1)");
    assertThat(
            clientProblems(
                """
                transport = "wss"
                headers = { "Host" = "x", "Sec-WebSocket-Protocol" = "y", "Bad Name" = "z" }
                ping_interval = "-1s"
                proxy_url = "ftp://proxy:21"
                """))
        .contains(
            "client.headers.Host: set by the transport itself; use client.host for the Host"
                + " header",
            "client.headers.Sec-WebSocket-Protocol: set by the transport itself",
            "client.headers.Bad Name: not a valid HTTP header name",
            "client.proxy_url: scheme must be http or socks5 (e.g. http://proxy:3128), got 'ftp'");
    assertThat(clientProblems("proxy_url = \"http://proxy\""))
        .containsExactly(
            "client.proxy_url: no port in 'http://proxy' (e.g. http://proxy:3128 or"
                + " socks5://proxy:1080)");
  }

  @Test
  void cidrsMatchTheirBlocksOnly() throws Exception {
    Cidr ten = Cidr.parse("10.1.2.3/8");
    assertThat(ten.contains(InetAddress.getByName("10.255.0.1"))).isTrue();
    assertThat(ten.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(ten.contains(InetAddress.getByName("::ffff:10.0.0.9"))).isTrue();
    Cidr v6 = Cidr.parse("fd00::/8");
    assertThat(v6.contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(v6.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9"))).isTrue();
  }

  @Test
  void proxyUrlRedactsOnlyThePassword() {
    assertThat(ProxyUrl.redact("http://u:secret@h:3128")).isEqualTo("http://u:***@h:3128");
    assertThat(ProxyUrl.redact("http://h:3128")).isEqualTo("http://h:3128");
    assertThat(ProxyUrl.parse("http://[::1]:3128").host()).isEqualTo("::1");
    assertThat(ProxyUrl.parse("http://[::1]:3128").address()).isEqualTo("[::1]:3128");
  }
}
