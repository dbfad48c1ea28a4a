package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.RealProcess;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client dials the server through real outbound proxies with {@code proxy_url}: tinyproxy (HTTP
 * CONNECT with basic authentication) and microsocks (SOCKS5 with user and password).
 */
@Timeout(90)
class OutboundProxyEndToEndTest extends EchoTunnelTest {

  private RealProcess tinyproxy(int port) throws Exception {
    Path conf = dir.resolve("tinyproxy.conf");
    Files.writeString(
        conf,
        """
        User nobody
        Group nogroup
        Port %d
        Listen 127.0.0.1
        Timeout 600
        MaxClients 100
        LogLevel Connect
        BasicAuth office s3cret
        """
            .formatted(port));
    return RealProcess.start(
        "tinyproxy",
        List.of("/usr/bin/tinyproxy", "-d", "-c", conf.toString()),
        dir.resolve("tinyproxy.log"),
        port);
  }

  private RealProcess microsocks(int port) throws Exception {
    return RealProcess.start(
        "microsocks",
        List.of(
            "/usr/bin/microsocks",
            "-i",
            "127.0.0.1",
            "-p",
            String.valueOf(port),
            "-u",
            "office",
            "-P",
            "s3cret"),
        dir.resolve("microsocks.log"),
        port);
  }

  private TunnelServer server(TunnelTransport t) throws Exception {
    return fixture.startServer(
        TunnelFixture.built(fixture.serverBuilder().transport(ServerTransportConfig.of(t))));
  }

  private ClientConfig client(TunnelServer server, TunnelTransport t, String proxyUrl)
      throws Exception {
    return fixture
        .clientConfig(server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port())))
        .toBuilder()
        .transport(ClientTransportConfig.of(t).withProxyUrl(proxyUrl))
        .reconnect(new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(1), false))
        .build();
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void throughAnHttpConnectProxyWithCredentials(TunnelTransport t) throws Exception {
    int proxyPort = freePort();
    try (RealProcess proxy = tinyproxy(proxyPort)) {
      TunnelServer server = server(t);
      TunnelClient client =
          fixture.startClient(client(server, t, "http://office:s3cret@127.0.0.1:" + proxyPort));
      int port = publishedPort(server, "echo");
      assertThat(Streams.echoesUntilEnd(port, 3, 2L * 1024 * 1024)).isTrue();
      assertThat(client.status().transport())
          .isEqualTo(t.configName() + " via http proxy 127.0.0.1:" + proxyPort);
      assertThat(client.status().proxyUrl()).isEqualTo("http://office:***@127.0.0.1:" + proxyPort);
      assertThat(proxy.output()).contains("CONNECT").contains(":" + server.address().getPort());
    }
  }

  @Test
  void throughASocks5ProxyWithCredentials() throws Exception {
    int proxyPort = freePort();
    try (RealProcess proxy = microsocks(proxyPort)) {
      TunnelServer server = server(TunnelTransport.WSS);
      TunnelClient client =
          fixture.startClient(
              client(server, TunnelTransport.WSS, "socks5://office:s3cret@127.0.0.1:" + proxyPort));
      int port = publishedPort(server, "echo");
      assertThat(Streams.echoesUntilEnd(port, 4, 2L * 1024 * 1024)).isTrue();
      assertThat(client.status().transport())
          .isEqualTo("wss via socks5 proxy 127.0.0.1:" + proxyPort);
      assertThat(proxy.output()).contains("127.0.0.1");
    }
  }

  @Test
  void wrongProxyPasswordEndsTheSessionWithTheProxysAnswer() throws Exception {
    int proxyPort = freePort();
    try (RealProcess proxy = tinyproxy(proxyPort)) {
      TunnelServer server = server(TunnelTransport.TLS);
      TunnelClient client =
          fixture.startClient(
              client(server, TunnelTransport.TLS, "http://office:wrong@127.0.0.1:" + proxyPort));
      ClientExit exit = client.exit().get(20, TimeUnit.SECONDS);
      assertThat(exit.failure().kind()).isEqualTo(FailureKind.UNREACHABLE);
      assertThat(exit.message())
          .startsWith(
              "cannot reach server 127.0.0.1:"
                  + server.address().getPort()
                  + " through http proxy 127.0.0.1:"
                  + proxyPort
                  + ": ")
          .endsWith("status: 401 Unauthorized"); // tinyproxy's answer to a wrong password
      assertThat(proxy.output()).isNotEmpty();
    }
  }

  @Test
  void unreachableProxyIsNamed() throws Exception {
    int proxyPort = freePort();
    TunnelServer server = server(TunnelTransport.TLS);
    TunnelClient client =
        fixture.startClient(client(server, TunnelTransport.TLS, "socks5://127.0.0.1:" + proxyPort));
    ClientExit exit = client.exit().get(20, TimeUnit.SECONDS);
    assertThat(exit.message())
        .startsWith("cannot reach socks5 proxy 127.0.0.1:" + proxyPort + ": ")
        .contains("refused");
  }
}
