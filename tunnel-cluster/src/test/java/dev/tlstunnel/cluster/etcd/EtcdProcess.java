package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real etcd ({@code /usr/bin/etcd}, Debian's etcd-server) on 127.0.0.1 with free ports and a
 * temporary data directory, or a cluster of several such members, or one member that speaks only
 * TLS to its clients and asks each for a certificate ({@link #startTls}). Closing kills every
 * member and deletes the data.
 */
final class EtcdProcess implements AutoCloseable {
  /** One member: its ports, data directory and process (null while stopped). */
  static final class Member {
    final String name;
    final int clientPort;
    final int peerPort;
    final Path dataDir;
    final Path log;
    Process process;
    EtcdPki tls;

    Member(String name, int clientPort, int peerPort, Path dataDir) {
      this.name = name;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
      this.dataDir = dataDir;
      this.log = dataDir.resolveSibling(name + ".log");
    }

    String endpoint() {
      return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
    }
  }

  private final Path root;
  final List<Member> members = new ArrayList<>();
  private final String initialCluster;

  private EtcdProcess(int size) throws IOException {
    root = Files.createTempDirectory("etcd-test");
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Member m =
          new Member(
              "m" + i, TunnelFixture.freePort(), TunnelFixture.freePort(), root.resolve("m" + i));
      members.add(m);
      peers.add(m.name + "=http://127.0.0.1:" + m.peerPort);
    }
    initialCluster = String.join(",", peers);
  }

  static EtcdProcess start() throws IOException {
    return start(1);
  }

  /** One member whose clients must speak TLS and show a certificate of {@code pki}'s CA. */
  static EtcdProcess startTls(EtcdPki pki) throws IOException {
    EtcdProcess etcd = new EtcdProcess(1);
    Member m = etcd.members.get(0);
    m.tls = pki;
    etcd.launch(m);
    awaitListening(m.clientPort);
    return etcd;
  }

  static EtcdProcess start(int size) throws IOException {
    EtcdProcess etcd = new EtcdProcess(size);
    for (Member m : etcd.members) {
      etcd.launch(m);
    }
    for (Member m : etcd.members) {
      awaitListening(m.clientPort);
    }
    return etcd;
  }

  /** The client endpoints, comma separated. */
  String endpoint() {
    return String.join(",", members.stream().map(Member::endpoint).toList());
  }

  List<String> endpoints() {
    return members.stream().map(Member::endpoint).toList();
  }

  void launch(Member m) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/etcd",
                "--name=" + m.name,
                "--data-dir=" + m.dataDir,
                "--listen-client-urls=" + m.endpoint(),
                "--advertise-client-urls=" + m.endpoint(),
                "--listen-peer-urls=http://127.0.0.1:" + m.peerPort,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + m.peerPort,
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-state=new",
                "--heartbeat-interval=50",
                "--election-timeout=500"));
    if (m.tls != null) {
      command.addAll(
          List.of(
              "--cert-file=" + m.tls.serverCert(),
              "--key-file=" + m.tls.serverKey(),
              "--trusted-ca-file=" + m.tls.ca(),
              "--client-cert-auth"));
    }
    m.process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(m.log.toFile())
            .start();
  }

  /** Kills {@code m} at once (SIGKILL). */
  void kill(Member m) {
    m.process.destroyForcibly();
    try {
      m.process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    m.process = null;
  }

  /**
   * Stops {@code m} without ending it (SIGSTOP): its connections stay open and nothing answers on
   * them, as when etcd is overloaded or its disk stalls, until {@link #resume}.
   */
  void pause(Member m) throws IOException, InterruptedException {
    signal(m, "-STOP");
  }

  /** Lets a {@linkplain #pause paused} member go on (SIGCONT). */
  void resume(Member m) throws IOException, InterruptedException {
    signal(m, "-CONT");
  }

  private static void signal(Member m, String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(m.process.pid()))
            .redirectErrorStream(true)
            .start();
    if (kill.waitFor() != 0) {
      throw new IOException(
          "kill "
              + signal
              + " "
              + m.process.pid()
              + ": "
              + new String(kill.getInputStream().readAllBytes()));
    }
  }

  /** Starts a killed member again on its ports and data. */
  void restart(Member m) throws IOException {
    launch(m);
    awaitListening(m.clientPort);
  }

  @Override
  public void close() throws IOException {
    for (Member m : members) {
      if (m.process != null) {
        kill(m);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void awaitListening(int port) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
              }
            });
  }
}
