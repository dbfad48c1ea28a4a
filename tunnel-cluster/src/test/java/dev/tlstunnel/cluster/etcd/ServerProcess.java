package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * A cluster server in a JVM of its own ({@link ServerMain}, on this test's class path), configured
 * by a TOML file, so that a test can {@code kill -9} it or stop it with SIGSTOP.
 */
final class ServerProcess implements AutoCloseable {
  final String ip;
  final int port;
  private final Process process;

  private ServerProcess(String ip, int port, Process process) {
    this.ip = ip;
    this.port = port;
    this.process = process;
  }

  static ServerProcess start(Path dir, ClusterRig rig, ClusterConfig c) throws IOException {
    String ip = c.peerHost();
    int port = TunnelFixture.freePort(ip);
    Path toml = dir.resolve(c.nodeId() + ".toml");
    Files.writeString(
        toml,
        String.join(
            "\n",
            "[server]",
            "bind_addr = \"" + ip + "\"",
            "bind_port = " + port,
            "cert_path = \"" + rig.fixture.pki().cert() + "\"",
            "key_path = \"" + rig.fixture.pki().key() + "\"",
            "auth_key = \"" + TunnelFixture.KEY + "\"",
            "[server.bind_retry]",
            "max_retries = 10",
            "initial_delay = \"50ms\"",
            "max_delay = \"200ms\"",
            "[server.cluster]",
            "etcd_endpoints = ["
                + c.etcdEndpoints().stream()
                    .map(e -> "\"" + e + "\"")
                    .collect(Collectors.joining(","))
                + "]",
            "node_id = \"" + c.nodeId() + "\"",
            "peer_addr = \"" + c.peerAddr() + "\"",
            "publish_addr = \"" + c.publishAddr() + "\"",
            "lease_ttl = \"" + c.leaseTtl().toSeconds() + "s\"",
            "peer_ca_cert_path = \"" + c.peerCaCert() + "\"",
            "peer_cert_path = \"" + c.peerCert() + "\"",
            "peer_key_path = \"" + c.peerKey() + "\"",
            ""));
    // the log stays in target/ for a look after a failure
    Path log =
        Files.createDirectories(Path.of("target", "server-logs"))
            .resolve(c.nodeId() + "-" + System.nanoTime() + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                ServerMain.class.getName(),
                toml.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    ServerProcess server = new ServerProcess(ip, port, p);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new AssertionError("server process ended: " + Files.readString(log));
              }
              return Files.readString(log).contains("Server listening on");
            });
    return server;
  }

  /** {@code kill -9}. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** {@code kill -STOP} or {@code -CONT}. */
  void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor();
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      try {
        signal("CONT");
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
