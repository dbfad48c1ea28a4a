package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd stops answering (paused, its connections open) while a client registers: the claim waits for
 * etcd's answer, and the server's other connections go on meanwhile.
 */
class SlowEtcdEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void claimWaitingForEtcdDoesNotStallTheServersOtherConnections() throws Exception {
    // one event loop for everything the server does: a claim waiting on it would stall them all
    EventLoopGroup oneLoop = Transport.best().newGroup(1, "slow-etcd-test");
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService()) {
      rig.lease = Duration.ofSeconds(30); // renewals that time out do not stop it serving here
      TunnelServer s1 =
          rig.fixture.closeLater(
              TunnelServer.builder(rig.serverConfig(1)).eventLoopGroup(oneLoop).start());
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient c1 = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c1.status().proxy("web").status() == ProxyStatus.HEALTHY);
      ClusterRig.echoes(ClusterRig.ip(1), port, 1 << 16);

      EtcdProcess.Member etcd = rig.etcd.members.get(0);
      rig.etcd.pause(etcd);
      TunnelClient c2 =
          rig.startClient(
              s1, "c2", List.of(proxy("api", TunnelFixture.freePort("127.0.0.1"), echo.port())));
      long start = System.nanoTime();
      long slowest = 0;
      int served = 0;
      // until the claim has its answer (etcd's call timeout), and at least 3 s
      while (c2.status().proxy("api").status() != ProxyStatus.REJECTED
          || System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
        assertThat(System.nanoTime() - start)
            .as("the claim of 'api' was answered")
            .isLessThan(TimeUnit.SECONDS.toNanos(20));
        long t = System.nanoTime();
        ClusterRig.echoes(ClusterRig.ip(1), port, 1024);
        slowest = Math.max(slowest, System.nanoTime() - t);
        served++;
        assertThat(c1.status().sessionState()).isEqualTo(SessionState.CONNECTED);
        Thread.sleep(50);
      }
      assertThat(served).isGreaterThan(10);
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest))
          .as("slowest echo (ms) while etcd did not answer")
          .isLessThan(1000);
      assertThat(c2.status().proxy("api").error())
          .startsWith("cannot claim proxy 'api' in the cluster: etcd at " + etcd.endpoint())
          .contains("does not answer");
      assertThat(c1.status().proxy("web").status()).isEqualTo(ProxyStatus.HEALTHY);

      rig.etcd.resume(etcd);
      TunnelClient c3 =
          rig.startClient(
              s1, "c3", List.of(proxy("api3", TunnelFixture.freePort("127.0.0.1"), echo.port())));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> c3.status().proxy("api3").status() == ProxyStatus.HEALTHY);
    } finally {
      Transport.shutdown(oneLoop, 5).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }
}
