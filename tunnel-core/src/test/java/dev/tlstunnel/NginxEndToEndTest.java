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
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Nginx;
import dev.tlstunnel.testing.RealProcess;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real nginx in front of the server, configured with exactly the snippet README.md shows: TLS
 * ends at nginx, which passes the WebSocket upgrade on to a server running {@code behind_proxy}.
 */
@Timeout(90)
class NginxEndToEndTest extends EchoTunnelTest {

  private ServerConfig behindNginx() throws Exception {
    return ServerConfig.builder()
        .bind("127.0.0.1", 0)
        .authKey(TunnelFixture.KEY)
        .handshakeTimeout(Duration.ofSeconds(5))
        .transport(
            ServerTransportConfig.of(TunnelTransport.WSS)
                .withPath("/tunnel")
                .behind(List.of("127.0.0.1/32")))
        .build();
  }

  private ClientConfig client(int nginxPort, TunnelTransport t, Map<String, String> headers)
      throws Exception {
    return fixture
        .clientConfig(nginxPort, "office-pc", List.of(proxy("echo", 0, echo.port())))
        .toBuilder()
        .transport(ClientTransportConfig.of(t).withPath("/tunnel").withHeaders(null, headers))
        .build();
  }

  @Test
  void wssThroughNginxCarriesTheTunnelAndTheForwardedClientAddress() throws Exception {
    TunnelServer server = fixture.startServer(behindNginx());
    int nginxPort = freePort();
    String block = Nginx.serverBlock(nginxPort, fixture.pki(), server.address().getPort(), false);
    try (RealProcess nginx = Nginx.start(dir.resolve("nginx"), block, nginxPort)) {
      // The client claims an address of its own; nginx appends the real peer (127.0.0.1), which
      // is trusted, so the server takes the next hop to the left as the client's address.
      TunnelClient client =
          fixture.startClient(
              client(nginxPort, TunnelTransport.WSS, Map.of("X-Forwarded-For", "203.0.113.9")));
      int port = publishedPort(server, "echo");
      assertThat(Streams.echoesUntilEnd(port, 7, 8L * 1024 * 1024)).isTrue();
      var session = server.snapshot().sessions().get(0);
      assertThat(session.remoteAddress()).isEqualTo("/203.0.113.9:0");
      assertThat(session.transport()).isEqualTo("wss");
      assertThat(client.status().transport()).isEqualTo("wss");
      assertThat(nginx.output()).doesNotContain("[emerg]");
    }
  }

  @Test
  void plainRequestsThroughNginxGetA404ThatNamesNoTunnel() throws Exception {
    TunnelServer server = fixture.startServer(behindNginx());
    int nginxPort = freePort();
    String block = Nginx.serverBlock(nginxPort, fixture.pki(), server.address().getPort(), false);
    try (RealProcess nginx = Nginx.start(dir.resolve("nginx"), block, nginxPort)) {
      HttpResponse<String> r =
          https()
              .send(
                  HttpRequest.newBuilder(URI.create("https://localhost:" + nginxPort + "/tunnel"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("Not Found\n");
      assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().contains("websocket"));
      assertThat(server.snapshot().sessions()).isEmpty();
      assertThat(nginx.output()).doesNotContain("[emerg]");
      assertThat(Files.readString(dir.resolve("nginx/access.log"))).contains("\"GET /tunnel");
    }
  }

  @Test
  void h2CannotPassNginxAndTheClientSaysWhatNginxAnswered() throws Exception {
    TunnelServer server =
        fixture.startServer(
            (TunnelFixture.built(
                ServerConfig.builder()
                    .bind("127.0.0.1", 0)
                    .authKey(TunnelFixture.KEY)
                    .handshakeTimeout(java.time.Duration.ofSeconds(5))
                    .transport(
                        ServerTransportConfig.of(TunnelTransport.H2)
                            .behind(List.of("127.0.0.1/32"))))));
    int nginxPort = freePort();
    String block = Nginx.serverBlock(nginxPort, fixture.pki(), server.address().getPort(), true);
    try (RealProcess nginx = Nginx.start(dir.resolve("nginx"), block, nginxPort)) {
      ClientConfig c =
          client(nginxPort, TunnelTransport.H2, Map.of()).toBuilder()
              .reconnect(
                  new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(1), false))
              .build();
      TunnelClient client = fixture.startClient(c);
      ClientExit exit = client.exit().get(20, TimeUnit.SECONDS);
      assertThat(exit.message()).contains("HTTP/2 CONNECT").contains("server answered 400");
      assertThat(server.snapshot().sessions()).isEmpty();
      assertThat(nginx.output()).doesNotContain("[emerg]");
    }
  }

  private HttpClient https() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (var in = Files.newInputStream(fixture.pki().cert())) {
      trust.setCertificateEntry(
          "test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
  }
}
