package dev.tlstunnel.visitor;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static dev.tlstunnel.testing.VisitorRig.localPort;
import static dev.tlstunnel.testing.VisitorRig.visitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminApi;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.ListeningPorts;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.VisitorRig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two clients and a server in one JVM: a visitor of client {@code laptop} reaches the private proxy
 * {@code echo} of client {@code office}, with the relay's guarantees (bytes exact, backpressure,
 * half-close) and status on both sides.
 */
@Timeout(120)
class VisitorEndToEndTest extends EchoTunnelTest {

  private int startVisit() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    rig.startPublisher(echo.port());
    return localPort(rig.startVisitor(), "echo");
  }

  @Test
  void echoesBytesExactly() throws Exception {
    int port = startVisit();
    byte[] sent = new byte[100_000];
    new Random(1).nextBytes(sent);
    try (Socket s = Streams.connect(port, 10_000)) {
      s.getOutputStream().write(sent);
      assertThat(Streams.readExactly(s.getInputStream(), sent.length)).isEqualTo(sent);
    }
  }

  @Test
  void sixtyFourMebibytesEachWayWithChecksums() throws Exception {
    int port = startVisit();
    assertThat(Streams.echoesUntilEnd(port, 42, 64L * 1024 * 1024)).isTrue();
  }

  @Test
  void twoHundredConcurrentVisitorConnectionsAllCorrect() throws Exception {
    int port = startVisit();
    assertThat(Streams.concurrentEchoes(port, 200)).isTrue();
    assertThat(echo.accepted()).isEqualTo(200);
  }

  @Test
  void halfCloseTravelsBothWays() throws Exception {
    int port = startVisit();
    // The echo service answers only after it saw our end of output through both tunnels, and
    // ends its output afterwards: both directions' half-close crossed both hops.
    assertThat(Streams.echoAfterHalfClose(port, "hello, half-close"))
        .isEqualTo("hello, half-close");
  }

  @Test
  void statusShowsTheVisitorAndThePublisherShowsWhoIsConnected() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    TunnelClient office =
        fixture.startClient(
            rig
                .client(
                    VisitorRig.PUBLISHER,
                    List.of(VisitorRig.privateProxy("echo", echo.port(), VisitorRig.VISITOR)),
                    List.of())
                .toBuilder()
                .admin("127.0.0.1", 0)
                .build());
    TunnelClient laptop =
        fixture.startClient(
            rig
                .client(
                    VisitorRig.VISITOR,
                    List.of(),
                    List.of(
                        dev.tlstunnel.config.VisitorConfig.of(
                            "echo", "office/echo", 0, VisitorRig.SECRET)))
                .toBuilder()
                .admin("127.0.0.1", 0)
                .build());
    int port = localPort(laptop, "echo");
    try (Socket s = Streams.connect(port, 10_000)) {
      assertThat(Streams.echoesExactly(s, 7, 1000)).isTrue();
      VisitorState v = visitor(laptop, "echo");
      assertThat(v.status()).isEqualTo(ProxyStatus.HEALTHY);
      assertThat(v.target()).isEqualTo("office/echo");
      assertThat(v.local()).isEqualTo("127.0.0.1:" + port);
      assertThat(v.activeConnections()).isEqualTo(1);
      assertThat(v.totalConnections()).isEqualTo(1);
      assertThat(v.lastError()).isNull();
      ProxyState p = office.status().proxies().get(0);
      assertThat(p.visibility()).isEqualTo("private");
      assertThat(p.status()).isEqualTo(ProxyStatus.HEALTHY);
      assertThat(p.connectedVisitors()).containsExactly(new ConnectedVisitor("laptop", 1));

      JsonNode visitorApi = AdminApi.status(laptop.adminPort()).path("visitors").get(0);
      assertThat(visitorApi.path("name").asText()).isEqualTo("echo");
      assertThat(visitorApi.path("target").asText()).isEqualTo("office/echo");
      assertThat(visitorApi.path("status").asText()).isEqualTo("healthy");
      assertThat(visitorApi.path("local").asText()).isEqualTo("127.0.0.1:" + port);
      assertThat(visitorApi.path("active_connections").asInt()).isEqualTo(1);
      JsonNode proxyApi = AdminApi.status(office.adminPort()).path("proxies").get(0);
      assertThat(proxyApi.path("visibility").asText()).isEqualTo("private");
      assertThat(proxyApi.path("connected_visitors").get(0).path("client_id").asText())
          .isEqualTo("laptop");
      assertThat(proxyApi.path("connected_visitors").get(0).path("connections").asInt())
          .isEqualTo(1);
    }
    await().until(() -> visitor(laptop, "echo").activeConnections() == 0);
    await().until(() -> office.status().proxies().get(0).connectedVisitors().isEmpty());
  }

  @Test
  void publisherRestartedVisitorKeepsListeningAndServesAgain() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    TunnelClient office = rig.startPublisher(echo.port());
    TunnelClient laptop = rig.startVisitor();
    int port = localPort(laptop, "echo");
    assertThat(Streams.echoes(port)).isTrue();

    office.close();
    await().until(() -> rig.server().snapshot().sessions().size() == 1);
    try (Socket s = Streams.connect(port, 10_000)) {
      s.getOutputStream().write("anyone?".getBytes(StandardCharsets.UTF_8));
      assertThat(Streams.closedByPeer(s)).as("closed at once while the target is offline").isTrue();
    }
    VisitorState offline = visitor(laptop, "echo");
    assertThat(offline.status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(offline.lastError()).isEqualTo("client 'office' is not connected (target_offline)");

    rig.startPublisher(echo.port());
    assertThat(Streams.echoes(port)).isTrue();
  }

  @Test
  void aPrivateProxyOpensNoPortAnywhere() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    Set<Integer> before = ListeningPorts.ofThisProcess();
    rig.startPublisher(
        List.of(
            VisitorRig.privateProxy("echo", echo.port(), VisitorRig.VISITOR),
            proxy("public-echo", 0, echo.port())));
    TunnelServer server = rig.server();
    int publicPort = publishedPort(server, "public-echo");
    Set<Integer> opened = new HashSet<>(ListeningPorts.ofThisProcess());
    opened.removeAll(before);
    // Only the public proxy listens; the private one is on no port of the server.
    assertThat(opened).containsExactly(publicPort);
    ServerSnapshot.ProxyInfo info =
        server.snapshot().proxies().stream()
            .filter(p -> p.name().equals("echo"))
            .findFirst()
            .orElseThrow();
    assertThat(info.privateProxy()).isTrue();
    assertThat(info.status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(info.boundPort()).isZero();
    assertThat(info.publishAddr()).isNull();
    assertThat(echo.accepted()).isZero();
  }

  @Test
  void visitorConnectionsOpenInParallelFromAnotherThread() throws Exception {
    int port = startVisit();
    List<CompletableFuture<Boolean>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long seed = i;
      runs.add(CompletableFuture.supplyAsync(() -> echoesQuietly(port, seed)));
    }
    for (CompletableFuture<Boolean> run : runs) {
      assertThat(run.get()).isTrue();
    }
  }

  private static boolean echoesQuietly(int port, long seed) {
    try {
      return Streams.echoesUntilEnd(port, seed, 256 * 1024);
    } catch (Exception e) {
      return false;
    }
  }
}
