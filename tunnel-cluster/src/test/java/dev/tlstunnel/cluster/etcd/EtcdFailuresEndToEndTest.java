package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import io.etcd.jetcd.Client;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** etcd goes away, entirely or its leader: what the servers keep, refuse and get back. */
class EtcdFailuresEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void etcdStoppedKeepsSessionsRefusesNewClaimsAndRecovers() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      rig.lease = Duration.ofSeconds(6);
      TunnelServer s1 = rig.startServer(1);
      TunnelServer s2 = rig.startServer(2);
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient c1 = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c1.status().proxy("web").status() == ProxyStatus.HEALTHY);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16));

      EtcdProcess.Member etcd = rig.etcd.members.get(0);
      rig.etcd.kill(etcd);
      // within the lease, what was claimed goes on being served, here and through the peer
      ClusterRig.echoes(ClusterRig.ip(1), port, 1 << 16);
      ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16);
      TunnelClient c2 =
          rig.startClient(
              s2, "c2", List.of(proxy("api", TunnelFixture.freePort("127.0.0.1"), echo.port())));
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> c2.status().proxy("api").status() == ProxyStatus.REJECTED);
      assertThat(c2.status().proxy("api").error())
          .startsWith("cannot claim proxy 'api' in the cluster: etcd at " + etcd.endpoint())
          .contains("does not answer");
      // once the lease may have expired in etcd, nobody serves it (no split brain)
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> notServed(ClusterRig.ip(1), port));
      notServed(ClusterRig.ip(2), port);

      rig.etcd.restart(etcd);
      for (int n = 1; n <= 2; n++) {
        String ip = ClusterRig.ip(n);
        await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .untilAsserted(() -> ClusterRig.echoes(ip, port, 1 << 16));
      }
      TunnelClient c3 =
          rig.startClient(
              s2, "c3", List.of(proxy("api3", TunnelFixture.freePort("127.0.0.1"), echo.port())));
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> c3.status().proxy("api3").status() == ProxyStatus.HEALTHY);
    }
  }

  @Test
  @Timeout(90)
  void threeMemberEtcdLosingItsLeaderLosesNoClaim() throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 3);
        EchoService echo = new EchoService()) {
      rig.lease = Duration.ofSeconds(6);
      TunnelServer s1 = rig.startServer(1);
      rig.startServer(2);
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient c1 = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c1.status().proxy("web").status() == ProxyStatus.HEALTHY);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16));

      EtcdProcess.Member leader = leader(rig.etcd);
      rig.etcd.kill(leader);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(14);
      int served = 0;
      while (System.nanoTime() < until) {
        ClusterRig.echoes(ClusterRig.ip(1 + served % 2), port, 1 << 14);
        served++;
        Thread.sleep(200);
      }
      assertThat(served).isGreaterThan(10);
      assertThat(c1.status().proxy("web").status()).isEqualTo(ProxyStatus.HEALTHY);
      try (Client etcd =
          Client.builder()
              .endpoints(
                  rig.etcd.members.stream()
                      .filter(m -> m != leader)
                      .map(EtcdProcess.Member::endpoint)
                      .toArray(String[]::new))
              .build()) {
        var kvs =
            etcd.getKVClient()
                .get(EtcdKeys.bytes(EtcdKeys.PREFIX + "names/web"))
                .get(5, TimeUnit.SECONDS)
                .getKvs();
        assertThat(kvs).hasSize(1);
        assertThat(kvs.get(0).getValue().toString()).contains("\"node\":\"n1\"");
      }
    }
  }

  /**
   * A connection to {@code ip:port} is refused: closed with nothing echoed, or reset (a socket
   * closed with the request unread, as it is when the request arrived before the refusal).
   */
  private static void notServed(String ip, int port) {
    assertThatThrownBy(() -> ClusterRig.echoes(ip, port, 1024))
        .isInstanceOfAny(AssertionError.class, java.net.SocketException.class)
        .satisfies(
            e -> {
              if (e instanceof java.net.SocketException) {
                assertThat(e).hasMessageContaining("reset");
              }
            });
  }

  /** The member that leads the etcd cluster now. */
  private static EtcdProcess.Member leader(EtcdProcess etcd) throws Exception {
    try (Client c = Client.builder().endpoints(etcd.endpoints().toArray(String[]::new)).build()) {
      for (EtcdProcess.Member m : etcd.members) {
        var status = c.getMaintenanceClient().statusMember(m.endpoint()).get(5, TimeUnit.SECONDS);
        if (status.getLeader() == status.getHeader().getMemberId()) {
          return m;
        }
      }
    }
    throw new AssertionError("no etcd member leads");
  }
}
