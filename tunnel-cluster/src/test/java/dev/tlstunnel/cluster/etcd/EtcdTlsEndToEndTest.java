package dev.tlstunnel.cluster.etcd;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster on an etcd that speaks only TLS and asks every client for a certificate of its CA
 * ({@code --client-cert-auth}): servers with {@code etcd_ca_cert_path}, {@code etcd_cert_path} and
 * {@code etcd_key_path} join and serve; one without a client certificate is refused at start with
 * the endpoint named.
 */
class EtcdTlsEndToEndTest {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void serversJoinAnEtcdThatWantsClientCertificates() throws Exception {
    EtcdPki pki = EtcdPki.create(dir.resolve("etcd-pki"));
    try (ClusterRig rig = new ClusterRig(dir, EtcdProcess.startTls(pki));
        EchoService echo = new EchoService()) {
      TunnelServer s1 = rig.startServer(ClusterRig.withEtcdTls(rig.cluster(1), pki, true));
      rig.startServer(ClusterRig.withEtcdTls(rig.cluster(2), pki, true));
      int port = TunnelFixture.freePort("127.0.0.1");
      TunnelClient client = rig.startClient(s1, "c1", List.of(proxy("web", port, echo.port())));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.status().proxy("web").status() == ProxyStatus.HEALTHY);
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .untilAsserted(() -> ClusterRig.echoes(ClusterRig.ip(2), port, 1 << 16));
      ClusterStatus.Snapshot status =
          ClusterStatus.read(ClusterRig.withEtcdTls(rig.cluster(3), pki, true));
      assertThat(status.servers())
          .extracting(ClusterStatus.Server::node)
          .containsExactly("n1", "n2");
      assertThat(status.proxies())
          .containsExactly(new ClusterStatus.Held("web", "c1", "n1", "127.0.0.11:" + port));

      ClusterConfig noClientCert = ClusterRig.withEtcdTls(rig.cluster(3), pki, false);
      assertThatThrownBy(() -> rig.startServer(noClientCert))
          .isInstanceOf(TunnelStartException.class)
          .hasMessageContaining(
              "cannot join the cluster through etcd at " + rig.endpoints().get(0));
    }
  }
}
