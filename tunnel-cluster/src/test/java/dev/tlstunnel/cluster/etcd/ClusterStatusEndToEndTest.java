package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminHttpClient;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.Prometheus;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the cluster tells about itself: every server's listener for a published port in {@code
 * cluster status} (one of them kept from binding by another socket on its address), and each
 * server's {@code tlstunnel_cluster_} metrics.
 */
class ClusterStatusEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void statusShowsEachServersListenerAndMetricsCountTheCluster() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startMonitoredServer(1);
      TunnelServer s2 = rig.startMonitoredServer(2);
      TunnelServer s3 = rig.startMonitoredServer(3);
      int port = TunnelFixture.freePort("127.0.0.1");
      ServerSocket squatter = new ServerSocket();
      squatter.bind(new InetSocketAddress(ClusterRig.ip(2), port));
      TunnelClient client;
      try (squatter) {
        client = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  Map<String, ClusterStatus.Listener> web = listeners(rig, "web");
                  assertThat(web.keySet()).containsExactly("n1", "n2", "n3");
                  assertThat(web.get("n1").state()).isEqualTo("bound");
                  assertThat(web.get("n1").address()).isEqualTo(ClusterRig.ip(1) + ":" + port);
                  assertThat(web.get("n3").state()).isEqualTo("bound");
                  assertThat(web.get("n2").state()).isEqualTo("retrying");
                  assertThat(web.get("n2").attempt()).isGreaterThan(1);
                  assertThat(web.get("n2").address()).isEqualTo(ClusterRig.ip(2) + ":" + port);
                  assertThat(web.get("n2").message()).contains("already in use");
                });
        List<Prometheus.Sample> m2 = metrics(s2);
        assertThat(Prometheus.value(m2, "tlstunnel_cluster_remote_listeners", "state", "retrying"))
            .isEqualTo(1);
        assertThat(Prometheus.value(m2, "tlstunnel_cluster_members")).isEqualTo(3);
        assertThat(Prometheus.value(m2, "tlstunnel_cluster_serving")).isEqualTo(1);
        assertThat(Prometheus.value(m2, "tlstunnel_cluster_etcd_reachable")).isEqualTo(1);
        assertThat(Prometheus.value(m2, "tlstunnel_cluster_claims", "holder", "n1")).isEqualTo(1);
      }

      // the squatter is gone: the next retry binds
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(listeners(rig, "web").get("n2").state()).isEqualTo("bound"));
      ClusterRig.echoes(ClusterRig.ip(3), port, 1 << 16);
      ClusterRig.echoes(ClusterRig.ip(1), port, 1 << 10);
      String text3 = new AdminHttpClient(s3.adminPort()).text("/metrics");
      Prometheus.lint(text3);
      List<Prometheus.Sample> m3 = Prometheus.parse(text3);
      assertThat(Prometheus.value(m3, "tlstunnel_cluster_remote_listeners", "state", "bound"))
          .isEqualTo(1);
      assertThat(Prometheus.value(m3, "tlstunnel_cluster_forwarded_connections_total"))
          .isEqualTo(1);
      assertThat(Prometheus.value(m3, "tlstunnel_cluster_peer_links", "direction", "out"))
          .isEqualTo(1);
      List<Prometheus.Sample> m1 = metrics(s1);
      assertThat(Prometheus.value(m1, "tlstunnel_cluster_peer_streams_total")).isEqualTo(1);
      assertThat(Prometheus.value(m1, "tlstunnel_cluster_peer_links", "direction", "in"))
          .isEqualTo(1);
      assertThat(Prometheus.value(m1, "tlstunnel_cluster_remote_listeners", "state", "bound"))
          .as("n1 serves web with its client's own listener")
          .isZero();

      // the client leaves: no server listens for web any more, and says so
      client.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(listeners(rig, "web")).isEmpty());
    }
  }

  private static Map<String, ClusterStatus.Listener> listeners(ClusterRig rig, String proxy)
      throws Exception {
    return ClusterStatus.read(rig.cluster(1)).listeners().stream()
        .filter(l -> l.proxy().equals(proxy))
        .collect(Collectors.toMap(ClusterStatus.Listener::node, l -> l));
  }

  private static List<Prometheus.Sample> metrics(TunnelServer server) throws Exception {
    return Prometheus.parse(new AdminHttpClient(server.adminPort()).text("/metrics"));
  }
}
