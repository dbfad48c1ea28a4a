package dev.tlstunnel.cluster.etcd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
    Pki tls;

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

  /**
   * A CA made with openssl, a server certificate of it for 127.0.0.1 and a client certificate of it
   * (EC P-256, PKCS#8 keys).
   */
  record Pki(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    static Pki create(Path dir) throws IOException, InterruptedException {
      Files.createDirectories(dir);
      Pki p =
          new Pki(
              dir.resolve("ca.pem"),
              dir.resolve("server.pem"),
              dir.resolve("server.key"),
              dir.resolve("client.pem"),
              dir.resolve("client.key"));
      Path caKey = dir.resolve("ca.key");
      openssl(
          dir,
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          caKey.toString(),
          "-out",
          p.ca().toString(),
          "-days",
          "2",
          "-subj",
          "/CN=etcd test CA");
      issue(
          dir,
          p,
          caKey,
          "server",
          p.serverCert(),
          p.serverKey(),
          "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
      issue(
          dir, p, caKey, "client", p.clientCert(), p.clientKey(), "extendedKeyUsage=clientAuth\n");
      return p;
    }

    private static void issue(
        Path dir, Pki p, Path caKey, String name, Path cert, Path key, String extensions)
        throws IOException, InterruptedException {
      Path csr = dir.resolve(name + ".csr");
      Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions);
      openssl(
          dir,
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          key.toString(),
          "-out",
          csr.toString(),
          "-subj",
          "/CN=" + name);
      openssl(
          dir,
          "x509",
          "-req",
          "-in",
          csr.toString(),
          "-CA",
          p.ca().toString(),
          "-CAkey",
          caKey.toString(),
          "-CAcreateserial",
          "-out",
          cert.toString(),
          "-days",
          "2",
          "-extfile",
          ext.toString());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of("openssl"));
      command.addAll(List.of(args));
      Path log = dir.resolve("openssl.log");
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (p.waitFor() != 0) {
        throw new IOException(command + " failed: " + Files.readString(log));
      }
    }
  }

  private final Path root;
  final List<Member> members = new ArrayList<>();
  private final String initialCluster;

  private EtcdProcess(int size) throws IOException {
    root = Files.createTempDirectory("etcd-test");
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Member m = new Member("m" + i, freePort(), freePort(), root.resolve("m" + i));
      members.add(m);
      peers.add(m.name + "=http://127.0.0.1:" + m.peerPort);
    }
    initialCluster = String.join(",", peers);
  }

  static EtcdProcess start() throws IOException {
    return start(1);
  }

  /** One member whose clients must speak TLS and show a certificate of {@code pki}'s CA. */
  static EtcdProcess startTls(Pki pki) throws IOException {
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

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
