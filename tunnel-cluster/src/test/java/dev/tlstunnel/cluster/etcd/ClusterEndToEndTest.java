package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three servers, one etcd: every server serves every published port. */
class ClusterEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void aConnectionToAnyServerReachesTheClientOnAnother() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startServer(1);
      rig.startServer(2);
      rig.startServer(3);
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient client = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
      for (int n = 1; n <= 3; n++) {
        String ip = ClusterRig.ip(n);
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .untilAsserted(() -> ClusterRig.echoes(ip, port, 1 << 20));
      }
      assertThat(echo.accepted()).isGreaterThanOrEqualTo(3);
      ClusterStatus.Snapshot status = ClusterStatus.read(rig.cluster(2));
      assertThat(status.servers())
          .extracting(ClusterStatus.Server::node)
          .containsExactly("n1", "n2", "n3");
      assertThat(status.servers()).allMatch(m -> m.remainingSeconds() > 0 && m.ttlSeconds() == 2);
      assertThat(status.proxies())
          .containsExactly(new ClusterStatus.Held("web", "c1", "n1", "127.0.0.11:" + port));
    }
  }

  @Test
  @Timeout(60)
  void theClientSeesTheRealPublicAddressAcrossTheHop() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startServer(1);
      rig.startServer(2);
      int port = TunnelFixture.freePort("127.0.0.1");
      List<String> peers = new CopyOnWriteArrayList<>();
      TunnelClient client =
          rig.fixture.closeLater(
              TunnelClient.builder(
                      TunnelFixture.built(
                          rig.client(s1, "c1", List.of(proxy("web", port, echo.port())))))
                  .listener(
                      TunnelClient.Listener.of(
                          e -> {
                            if (e instanceof ClientEvent.ConnectionOpened o) {
                              peers.add(o.peer());
                            }
                          }))
                  .start());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                try (Socket s = new Socket()) {
                  s.bind(new InetSocketAddress("127.0.0.99", 0));
                  s.connect(new InetSocketAddress(ClusterRig.ip(2), port), 2000);
                  s.getOutputStream().write(1);
                  s.setSoTimeout(5000);
                  assertThat(s.getInputStream().read()).isEqualTo(1);
                }
              });
      await().atMost(Duration.ofSeconds(5)).until(() -> !peers.isEmpty());
      assertThat(peers).allMatch(p -> p.startsWith("127.0.0.99:"));
    }
  }

  @Test
  @Timeout(60)
  void aDrainedServersClientsMoveWithOneReconnectEach() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startServer(1);
      TunnelServer s2 = rig.startServer(2);
      int port = TunnelFixture.freePort("127.0.0.1");
      AtomicInteger connects = new AtomicInteger();
      List<String> reached = new CopyOnWriteArrayList<>();
      TunnelClient client =
          rig.fixture.closeLater(
              TunnelClient.builder(
                      TunnelFixture.built(
                          rig.client(s1, "c1", List.of(proxy("web", port, echo.port())))
                              .moreServers(
                                  List.of(ClusterRig.ip(2) + ":" + s2.address().getPort()))))
                  .listener(
                      TunnelClient.Listener.of(
                          e -> {
                            if (e instanceof ClientEvent.Connected c) {
                              connects.incrementAndGet();
                              reached.add(c.server());
                            }
                          }))
                  .start());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
      s1.shutdownGracefully(Duration.ofSeconds(2)).get(20, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16));
      assertThat(s2.snapshot().sessions()).hasSize(1);
      assertThat(connects).hasValue(2);
      assertThat(reached)
          .as("each Connected event names the server reached")
          .containsExactly(
              ClusterRig.ip(1) + ":" + s1.address().getPort(),
              ClusterRig.ip(2) + ":" + s2.address().getPort());
    }
  }

  @Test
  @Timeout(60)
  void twoClientsClaimingOnePortOnTwoServersOneWinsTheOtherIsToldWho() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startServer(1);
      TunnelServer s2 = rig.startServer(2);
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient c1 = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c1.status().proxy("web").status() == ProxyStatus.HEALTHY);
      TunnelClient c2 =
          rig.startClient(
              s2, "c2", List.of(proxy("api", port, echo.port()), proxy("web", 0, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                ClientStatus st = c2.status();
                return st.proxy("api").status() == ProxyStatus.REJECTED
                    && st.proxy("web").status() == ProxyStatus.REJECTED;
              });
      assertThat(c2.status().proxy("api").error())
          .isEqualTo(
              "publish address 127.0.0.12:"
                  + port
                  + " conflicts with proxy 'web' of client 'c1' on 127.0.0.11:"
                  + port
                  + ", held by server 'n1'");
      assertThat(c2.status().proxy("web").error())
          .isEqualTo("proxy name 'web' is already registered by client 'c1' on server 'n1'");
      assertThat(c1.status().proxy("web").status()).isEqualTo(ProxyStatus.HEALTHY);
      ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16);
    }
  }
}
