package dev.tlstunnel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server on 127.0.0.1 for one test: its own host key, key-only login for the current
 * user with a throw-away key pair, no PAM, and it dies with the test. Needs {@code openssh-server}
 * and {@code openssh-client} (installed by {@code .ci/run}).
 */
public final class Sshd implements AutoCloseable {
  private static final Path SSHD = Path.of("/usr/sbin/sshd");

  private final Path dir;
  private final int port;
  private final Process process;
  private final Path log;

  private Sshd(Path dir, int port, Process process, Path log) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Generates the keys, starts sshd on a free port and waits until it listens. */
  public static Sshd start(Path dir) throws Exception {
    if (!Files.isExecutable(SSHD)) {
      throw new IllegalStateException(SSHD + " is missing: apt-get install -y openssh-server");
    }
    run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "host_key");
    run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "user_key");
    Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
    int port = TunnelFixture.freePort();
    Path config = dir.resolve("sshd_config");
    Files.writeString(
        config,
        String.join(
            "\n",
            "Port " + port,
            "ListenAddress 127.0.0.1",
            "HostKey " + dir.resolve("host_key"),
            "PidFile " + dir.resolve("sshd.pid"),
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "AllowUsers " + System.getProperty("user.name"),
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            "LogLevel VERBOSE",
            ""));
    if (isRoot()) {
      // sshd's privilege separation directory, normally made by its service unit
      Files.createDirectories(Path.of("/run/sshd"));
    }
    Path log = dir.resolve("sshd.log");
    Process process =
        new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Sshd sshd = new Sshd(dir, port, process, log);
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !process.isAlive() || sshd.logText().contains("Server listening on"));
      if (!process.isAlive()) {
        throw new IllegalStateException("sshd exited: " + sshd.logText());
      }
    } catch (RuntimeException e) {
      sshd.close();
      throw e;
    }
    return sshd;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  public int port() {
    return port;
  }

  public String logText() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /**
   * Runs {@code remoteCommand} over {@code ssh} to 127.0.0.1:{@code port} with the throw-away key,
   * feeding {@code stdin}; returns what it printed (stdout) after it ended, within 60 seconds.
   */
  public byte[] ssh(int viaPort, String remoteCommand, byte[] stdin) throws Exception {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            dir.resolve("user_key").toString(),
            "-p",
            Integer.toString(viaPort),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "LogLevel=ERROR",
            System.getProperty("user.name") + "@127.0.0.1",
            remoteCommand));
    Process ssh =
        new ProcessBuilder(command).redirectError(dir.resolve("ssh.err").toFile()).start();
    Thread feeder =
        new Thread(
            () -> {
              try (var in = ssh.getOutputStream()) {
                in.write(stdin);
              } catch (IOException e) {
                // ssh ended early; its exit code tells
              }
            },
            "ssh-stdin");
    feeder.setDaemon(true);
    feeder.start();
    byte[] out = ssh.getInputStream().readAllBytes();
    if (!ssh.waitFor(60, TimeUnit.SECONDS)) {
      ssh.destroyForcibly();
      throw new IllegalStateException("ssh did not end within 60 s");
    }
    if (ssh.exitValue() != 0) {
      throw new IllegalStateException(
          "ssh exited with "
              + ssh.exitValue()
              + ": "
              + Files.readString(dir.resolve("ssh.err"))
              + "\nsshd: "
              + logText());
    }
    return out;
  }

  private static void run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
