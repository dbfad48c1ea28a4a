package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real program (nginx, tinyproxy, microsocks) started for a test and stopped after it. A missing
 * program fails the test and names the Debian package ({@code .ci/run} installs it).
 */
public final class RealProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private RealProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} with its output in {@code log}, and waits until it accepts TCP
   * connections on {@code port} of 127.0.0.1.
   */
  public static RealProcess start(String debianPackage, List<String> command, Path log, int port)
      throws IOException {
    if (Files.notExists(Path.of(command.get(0)))) {
      fail(
          "%s is missing: install it with apt-get install -y %s (.ci/run does)",
          command.get(0), debianPackage);
    }
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    RealProcess real = new RealProcess(p, log);
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                if (!p.isAlive()) {
                  fail("%s exited with %d: %s", command.get(0), p.exitValue(), real.output());
                }
                return accepts(port);
              });
    } catch (RuntimeException | Error e) {
      real.close();
      throw e;
    }
    return real;
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What the program printed so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
