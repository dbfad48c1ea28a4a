package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What strangers see on a wss or h2 port: every request that is not the tunnel's own (another path,
 * no or another subprotocol, a browser's GET, HTTP/1.1 on an h2 port) gets a plain 404 or the decoy
 * page and nothing that names a tunnel; a peer that upgrades and then sends a text frame is closed
 * with 1003 and logged once.
 */
@Timeout(60)
class HttpTransportsDecoyEndToEndTest extends EchoTunnelTest {
  private static final String KEY_HEADER = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

  private TunnelServer server(ServerTransportConfig transport) throws Exception {
    return fixture.startServer(TunnelFixture.built(fixture.serverBuilder().transport(transport)));
  }

  private SSLContext trustTestCert() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(fixture.pki().cert())) {
      trust.setCertificateEntry(
          "test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  /** Sends {@code request} over TLS and returns everything the server sent until it closed. */
  private String exchange(int port, String request) throws Exception {
    try (SSLSocket s =
        (SSLSocket) trustTestCert().getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String upgrade(String path, String protocolHeader) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: tunnel.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + KEY_HEADER
        + "Sec-WebSocket-Version: 13\r\n"
        + protocolHeader
        + "\r\n";
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /tunnel HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + KEY_HEADER
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: tls-tunnel\r\n\r\n",
        "GET /tunnel HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + KEY_HEADER
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
        "GET /tunnel HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + KEY_HEADER
            + "Sec-WebSocket-Version: 13\r\n\r\n",
        "POST /tunnel HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
        "NOT-HTTP\r\n\r\n"
      })
  void everyRequestButTheTunnelsGetsAPlain404(String request) throws Exception {
    TunnelServer server = server(ServerTransportConfig.of(TunnelTransport.WSS).withPath("/tunnel"));
    String response = exchange(server.address().getPort(), request);
    assertThat(response).startsWith("HTTP/1.1 404 Not Found\r\n").endsWith("\r\n\r\nNot Found\n");
    assertThat(response.toLowerCase()).doesNotContain("websocket").doesNotContain("tunnel");
    assertThat(server.snapshot().sessions()).isEmpty();
  }

  @Test
  void theDecoyPageIsServedInsteadWhenConfigured() throws Exception {
    Path page = Files.writeString(dir.resolve("index.html"), "<h1>Welcome</h1>\n");
    TunnelServer server =
        server(
            ServerTransportConfig.of(TunnelTransport.WSS).withPath("/tunnel").withDecoyPage(page));
    String response = exchange(server.address().getPort(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n<h1>Welcome</h1>\n");
    assertThat(response).contains("content-type: text/html");
  }

  @Test
  void theRightUpgradeIsAnsweredWith101AndTheSubprotocol() throws Exception {
    TunnelServer server = server(ServerTransportConfig.of(TunnelTransport.WSS).withPath("/tunnel"));
    try (SSLSocket s =
        (SSLSocket)
            trustTestCert()
                .getSocketFactory()
                .createSocket("127.0.0.1", server.address().getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              upgrade("/tunnel?x=1", "Sec-WebSocket-Protocol: chat, tls-tunnel\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n");
      assertThat(head.toLowerCase()).contains("sec-websocket-protocol: tls-tunnel\r\n");
    }
  }

  @Test
  void aTextFrameAfterTheUpgradeIsClosedWith1003AndLoggedOnce() throws Exception {
    TunnelServer server = server(ServerTransportConfig.of(TunnelTransport.WSS).withPath("/tunnel"));
    try (LogCapture log = new LogCapture(TunnelServer.class);
        SSLSocket s =
            (SSLSocket)
                trustTestCert()
                    .getSocketFactory()
                    .createSocket("127.0.0.1", server.address().getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          upgrade("/tunnel", "Sec-WebSocket-Protocol: tls-tunnel\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101");
      byte[] text = {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'};
      out.write(text);
      out.write(text);
      byte[] close = s.getInputStream().readAllBytes();
      assertThat(close[0] & 0xff).isEqualTo(0x88);
      assertThat(((close[2] & 0xff) << 8) | (close[3] & 0xff)).isEqualTo(1003);
      await().atMost(Duration.ofSeconds(5)).until(() -> !log.warnings("text frame").isEmpty());
      assertThat(log.warnings("Closing tunnel connection from /127.0.0.1:"))
          .hasSize(1)
          .allMatch(
              m ->
                  m.endsWith(
                      ": sent a WebSocket text frame (the tunnel accepts binary frames only)"));
    }
  }

  @Test
  void h2PortAnswersHttp2AndHttp1RequestsWithThe404() throws Exception {
    TunnelServer server = server(ServerTransportConfig.of(TunnelTransport.H2));
    int port = server.address().getPort();
    for (HttpClient.Version version : HttpClient.Version.values()) {
      HttpClient http =
          HttpClient.newBuilder().sslContext(trustTestCert()).version(version).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.version()).isEqualTo(version);
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("Not Found\n");
    }
    assertThat(server.snapshot().sessions()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"wss", "h2", "wss-behind-proxy", "h2-behind-proxy"})
  void aConnectionThatNeverAsksIsClosedAtTheHandshakeDeadline(String kind) throws Exception {
    TunnelTransport t = kind.startsWith("wss") ? TunnelTransport.WSS : TunnelTransport.H2;
    boolean behind = kind.endsWith("behind-proxy");
    ServerTransportConfig transport = ServerTransportConfig.of(t);
    var config =
        behind
            ? ServerConfig.builder()
                .bind("127.0.0.1", 0)
                .authKey(TunnelFixture.KEY)
                .transport(transport.behind(java.util.List.of("127.0.0.1/32")))
            : fixture.serverBuilder().transport(transport);
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(config.handshakeTimeout(Duration.ofMillis(500))));
    int port = server.address().getPort();
    long start = System.nanoTime();
    try (java.net.Socket s =
        behind
            ? new java.net.Socket("127.0.0.1", port)
            : trustTestCert().getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      if (s instanceof SSLSocket tls) {
        tls.startHandshake(); // TLS done, then silence: no upgrade, no preface
      }
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis).isBetween(400L, 8_000L);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.snapshot().tunnelConnections() == 0);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
