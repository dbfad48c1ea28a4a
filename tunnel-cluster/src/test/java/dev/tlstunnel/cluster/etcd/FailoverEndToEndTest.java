package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's server dies ({@code kill -9}, or SIGSTOP): the client reconnects to the next server
 * of its list, which takes its claims over, and every remaining server serves its port again.
 */
class FailoverEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void killOfTheClientsServerServesAgainWithinTwoSecondsOfTheReconnect() throws Exception {
    failover("KILL");
  }

  @Test
  @Timeout(90)
  void stoppedServersClaimsMoveAfterItsLease() throws Exception {
    failover("STOP");
  }

  private void failover(String signal) throws Exception {
    try (ClusterRig rig = new ClusterRig(dir, 1);
        EchoService echo = new EchoService();
        ServerProcess s1 = ServerProcess.start(dir, rig, rig.cluster(1))) {
      var s2 = rig.startServer(2);
      rig.startServer(3);
      int port = TunnelFixture.freePort("127.0.0.1");
      List<ClientEvent.Connected> connected = new CopyOnWriteArrayList<>();
      ClientConfig config =
          TunnelFixture.built(
              rig.client(s2, "c1", List.of(proxy("web", port, echo.port())))
                  .keepAlive(new KeepAlive(Duration.ofMillis(250), Duration.ofSeconds(2)))
                  .server(s1.ip, s1.port)
                  .moreServers(
                      List.of(
                          s2.address().getAddress().getHostAddress()
                              + ":"
                              + s2.address().getPort())));
      TunnelClient client =
          rig.fixture.closeLater(
              TunnelClient.builder(config)
                  .listener(
                      TunnelClient.Listener.of(
                          e -> {
                            if (e instanceof ClientEvent.Connected c) {
                              connected.add(c);
                            }
                          }))
                  .start());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
      assertThat(s2.snapshot().sessions()).as("the client is on the first server").isEmpty();
      int before = connected.size();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(3), port, 1 << 16));

      if (signal.equals("KILL")) {
        s1.kill();
      } else {
        s1.signal("STOP");
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> connected.size() == before + 1);
      Instant reconnected = connected.get(before).time();
      for (int n = 2; n <= 3; n++) {
        String ip = ClusterRig.ip(n);
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .untilAsserted(() -> ClusterRig.echoes(ip, port, 1 << 16));
      }
      Duration took = Duration.between(reconnected, Instant.now());
      System.out.printf(
          "%s: serving on both remaining servers %d ms after the reconnect%n",
          signal, took.toMillis());
      if (signal.equals("KILL")) {
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        return;
      }
      // the stopped server runs again: its lease is gone, it takes nothing back and forwards too
      s1.signal("CONT");
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(1), port, 1 << 16));
      assertThat(connected).hasSize(before + 1);
      ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16);
    }
  }
}
