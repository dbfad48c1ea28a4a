package dev.tlstunnel.cluster.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cluster for tests: a real etcd and servers on 127.0.0.11, .12, .13 (each its own node with its
 * own address for published ports), sharing the fixture's certificate as tunnel and peer
 * certificate (the peer CA is that self-signed certificate).
 */
final class ClusterRig implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(2);

  final TunnelFixture fixture;
  final EtcdProcess etcd;

  /** The lease of the servers started from now on. */
  Duration lease = LEASE;

  ClusterRig(Path dir, int etcdMembers) throws IOException {
    this(dir, EtcdProcess.start(etcdMembers));
  }

  ClusterRig(Path dir, EtcdProcess etcd) throws IOException {
    this.fixture = new TunnelFixture(dir);
    this.etcd = etcd;
  }

  /**
   * {@code c} with {@code pki}'s CA for etcd and, if {@code clientCert}, its client certificate.
   */
  static ClusterConfig withEtcdTls(ClusterConfig c, EtcdPki pki, boolean clientCert) {
    return new ClusterConfig(
        c.etcdEndpoints(),
        c.nodeId(),
        c.peerAddr(),
        c.publishAddr(),
        c.leaseTtl(),
        pki.ca(),
        clientCert ? pki.clientCert() : null,
        clientCert ? pki.clientKey() : null,
        c.peerCaCert(),
        c.peerCert(),
        c.peerKey());
  }

  /** A server for {@code cluster}, on the node's own address ({@code publish_addr}). */
  TunnelServer startServer(ClusterConfig cluster) throws Exception {
    String ip = cluster.publishAddr();
    return fixture.startServer(
        TunnelFixture.built(
            fixture.serverBuilder().bind(ip, TunnelFixture.freePort(ip)).cluster(cluster)));
  }

  static String ip(int node) {
    return "127.0.0." + (10 + node);
  }

  /** The cluster settings of node {@code n} (1, 2, 3). */
  ClusterConfig cluster(int n) throws IOException {
    return new ClusterConfig(
        etcd.endpoints(),
        "n" + n,
        ip(n) + ":" + TunnelFixture.freePort(ip(n)),
        ip(n),
        lease,
        null,
        null,
        null,
        fixture.pki().cert(),
        fixture.pki().cert(),
        fixture.pki().key());
  }

  ServerConfig serverConfig(int n) throws IOException {
    return TunnelFixture.built(
        fixture.serverBuilder().bind(ip(n), TunnelFixture.freePort(ip(n))).cluster(cluster(n)));
  }

  TunnelServer startServer(int n) throws Exception {
    return fixture.startServer(serverConfig(n));
  }

  /** Node {@code n}'s server with {@code /metrics} on an admin port and unlimited bind retries. */
  TunnelServer startMonitoredServer(int n) throws Exception {
    return fixture.startServer(
        TunnelFixture.built(
            fixture
                .serverBuilder()
                .bind(ip(n), TunnelFixture.freePort(ip(n)))
                .cluster(cluster(n))
                .bindRetry(
                    new dev.tlstunnel.config.BindRetryPolicy(
                        -1, Duration.ofMillis(100), Duration.ofMillis(200)))
                .monitoring(
                    dev.tlstunnel.config.MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0))));
  }

  /** A client of node {@code n}'s server, pinning the test certificate (servers on many IPs). */
  dev.tlstunnel.config.ClientConfig.Builder client(
      TunnelServer server, String id, List<dev.tlstunnel.config.ProxyConfig> proxies)
      throws Exception {
    InetSocketAddress a = server.address();
    return TunnelFixture.fast(
        fixture
            .clientBuilder(a.getPort(), id, proxies)
            .server(a.getAddress().getHostAddress(), a.getPort())
            .serverFingerprint(fingerprint()));
  }

  String fingerprint() throws Exception {
    try (InputStream in = java.nio.file.Files.newInputStream(fixture.pki().cert())) {
      return dev.tlstunnel.config.Fingerprints.sha256(
          (java.security.cert.X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }

  TunnelClient startClient(
      TunnelServer server, String id, List<dev.tlstunnel.config.ProxyConfig> proxies)
      throws Exception {
    return fixture.startClient(TunnelFixture.built(client(server, id, proxies)));
  }

  /**
   * Sends {@code size} random bytes to {@code ip:port} (an echo behind the tunnel) and checks that
   * the SHA-256 of what came back is that of what was sent.
   */
  static void echoes(String ip, int port, int size) throws Exception {
    byte[] data = new byte[size];
    ThreadLocalRandom.current().nextBytes(data);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, port), 2000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      CompletableFuture<Void> send =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(data);
                  s.shutdownOutput();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      byte[] back = in.readAllBytes();
      send.get(10, TimeUnit.SECONDS);
      assertThat(back.length).as("bytes echoed through %s:%d", ip, port).isEqualTo(size);
      assertThat(sha256(back)).isEqualTo(sha256(data));
    }
  }

  static String sha256(byte[] data) throws NoSuchAlgorithmException {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  List<String> endpoints() {
    return etcd.endpoints();
  }

  @Override
  public void close() throws IOException {
    try {
      fixture.close();
    } finally {
      etcd.close();
    }
  }
}
