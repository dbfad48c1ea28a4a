package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.config.EdgeConfig.ProxyProtocolMode;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ProxyProtocolVersion;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.Haproxy;
import dev.tlstunnel.testing.Nginx;
import dev.tlstunnel.testing.RealProcess;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real client address end to end, with real peers on distinct loopback addresses: the public
 * client connects from 127.0.0.2, HAProxy (the load balancer in front) connects on from 127.0.0.4
 * with a PROXY protocol header, and nginx behind the client ({@code listen ... proxy_protocol})
 * logs {@code $proxy_protocol_addr}, which is the client's, not the load balancer's.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyProtocolEndToEndTest {
  private static final String CLIENT_ADDR = "127.0.0.2";
  private static final String LB_ADDR = "127.0.0.4";

  @TempDir Path dir;
  private TunnelFixture fixture;
  private RealProcess nginx;
  private int nginxPort;

  @BeforeEach
  void nginxBehindTheClient() throws IOException {
    fixture = new TunnelFixture(dir);
    nginxPort = freePort();
    String block =
        """
        log_format pp '$proxy_protocol_addr $proxy_protocol_port $remote_addr';
        server {
          listen 127.0.0.1:%d proxy_protocol;
          access_log %s pp;
          location / { return 200 "peer $proxy_protocol_addr:$proxy_protocol_port\\n"; }
        }
        """
            .formatted(nginxPort, dir.resolve("pp.log"));
    nginx = Nginx.start(dir.resolve("nginx"), block, nginxPort);
  }

  @AfterEach
  void stop() {
    fixture.close();
    if (nginx != null) {
      nginx.close();
    }
  }

  @ParameterizedTest
  @EnumSource(ProxyProtocolVersion.class)
  void theLocalServiceReadsThePublicPeerFromTheHeader(ProxyProtocolVersion version)
      throws Exception {
    TunnelServer server = fixture.startServer();
    int port = publish(server, version);

    Reply reply = get(CLIENT_ADDR, port);
    assertThat(reply.body).isEqualTo("peer " + CLIENT_ADDR + ":" + reply.localPort + "\n");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(Files.readString(dir.resolve("pp.log")))
                    .contains(CLIENT_ADDR + " " + reply.localPort + " 127.0.0.1"));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void aTrustedLoadBalancersHeaderNamesTheRealClientAllTheWay(int lbVersion) throws Exception {
    EventRecorder events = new EventRecorder();
    try (TunnelServer server = serverWith(ProxyProtocolMode.REQUIRE, events);
        BehindLoadBalancer lb = new BehindLoadBalancer(server, lbVersion)) {
      Reply reply = get(CLIENT_ADDR, lb.webPort);
      assertThat(reply.body).isEqualTo("peer " + CLIENT_ADDR + ":" + reply.localPort + "\n");
      ServerEvent.PublicConnectionOpened opened =
          events.awaitFirst(ServerEvent.PublicConnectionOpened.class, e -> true);
      assertThat(opened.peer())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName(CLIENT_ADDR), reply.localPort));
      assertThat(lb.haproxy.output()).doesNotContain("ALERT");
    }
  }

  @Test
  void withRequireAConnectionFromAnUntrustedSourceIsClosedUnserved() throws Exception {
    EventRecorder events = new EventRecorder();
    try (TunnelServer server = serverWith(ProxyProtocolMode.REQUIRE, events);
        BehindLoadBalancer lb = new BehindLoadBalancer(server, 2)) {
      try (Socket s = new Socket()) {
        s.bind(new InetSocketAddress(CLIENT_ADDR, 0));
        s.connect(new InetSocketAddress("127.0.0.1", lb.publishPort), 5000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(US_ASCII));
        assertThat(readAll(s.getInputStream())).isEmpty();
      }
      assertThat(events.all(ServerEvent.PublicConnectionOpened.class)).isEmpty();
      // the same port through the load balancer serves
      assertThat(get(CLIENT_ADDR, lb.webPort).body).startsWith("peer " + CLIENT_ADDR + ":");
    }
  }

  @Test
  void onTheTunnelPortTheHeaderNamesTheClientForAdmissionLogsAndEvents() throws Exception {
    EventRecorder events = new EventRecorder();
    try (TunnelServer server = serverWith(ProxyProtocolMode.REQUIRE, events);
        BehindLoadBalancer lb = new BehindLoadBalancer(server, 2)) {
      ServerEvent.ClientConnected connected =
          events.awaitFirst(ServerEvent.ClientConnected.class, e -> true);
      // the client dials HAProxy from 127.0.0.1; HAProxy reaches the server from 127.0.0.4
      assertThat(connected.remoteAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(server.snapshot().sessions().get(0).remoteAddress()).startsWith("/127.0.0.1:");
      assertThat(lb.haproxy.output()).doesNotContain("ALERT");
    }
  }

  /**
   * HAProxy in front of the server's tunnel port and of a published port, and a client that reaches
   * the server through it and publishes nginx (v2 headers towards it) on that port.
   */
  private final class BehindLoadBalancer implements AutoCloseable {
    final int publishPort = freePort();
    final int webPort = freePort();
    final RealProcess haproxy;

    BehindLoadBalancer(TunnelServer server, int version) throws Exception {
      int tunnelPort = freePort();
      haproxy =
          Haproxy.start(
              dir.resolve("lb"),
              LB_ADDR,
              version,
              new java.util.LinkedHashMap<>(
                  java.util.Map.of(tunnelPort, server.address().getPort(), webPort, publishPort)));
      ProxyConfig proxy =
          built(
              TunnelFixture.proxyBuilder("web", publishPort, nginxPort)
                  .proxyProtocol(ProxyProtocolVersion.V2));
      TunnelClient client =
          fixture.startClient(fixture.clientConfig(tunnelPort, "behind-lb", List.of(proxy)));
      client.proxy("web").whenHealthy().get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      haproxy.close();
    }
  }

  private TunnelServer serverWith(ProxyProtocolMode mode, EventRecorder events)
      throws TunnelStartException {
    return TunnelServer.builder(
            built(
                fixture
                    .serverBuilder()
                    .edge(EdgeConfig.DEFAULT.withProxyProtocol(mode, List.of(LB_ADDR + "/32")))))
        .listener(events)
        .start();
  }

  /** Publishes nginx with {@code version} headers towards it; returns the published port. */
  private int publish(TunnelServer server, ProxyProtocolVersion version) throws Exception {
    ProxyConfig proxy =
        built(TunnelFixture.proxyBuilder("web", 0, nginxPort).proxyProtocol(version));
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(server.address().getPort(), "pp-" + version, List.of(proxy)));
    return client.proxy("web").whenHealthy().get(20, TimeUnit.SECONDS).getPort();
  }

  private record Reply(String body, int localPort) {}

  /** {@code GET /} from {@code source}, through {@code port}; the body and the local port. */
  private static Reply get(String source, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(15_000);
      s.getOutputStream().write("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(US_ASCII));
      String response = readAll(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200");
      return new Reply(response.substring(response.indexOf("\r\n\r\n") + 4), s.getLocalPort());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    try {
      return new String(in.readAllBytes(), US_ASCII);
    } catch (java.net.SocketException reset) {
      return "";
    }
  }
}
