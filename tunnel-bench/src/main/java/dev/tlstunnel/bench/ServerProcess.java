package dev.tlstunnel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tunnel server in its own process, started through the shipped launcher ({@code ./tls-tunnel
 * server -c FILE}, which execs the JVM, so the process is the server's JVM): its memory is read
 * from {@code /proc}, and it can be killed with SIGKILL and started again.
 */
final class ServerProcess implements AutoCloseable {
  private final Path launcher;
  private final Path config;
  private final Path logDir;
  private Process process;
  private int starts;

  ServerProcess(Path launcher, Path config, Path logDir) {
    this.launcher = launcher;
    this.config = config;
    this.logDir = logDir;
  }

  /**
   * Starts the server and waits until it logs that it listens; returns the time that took.
   *
   * @throws IOException when it exits or does not listen within {@code timeoutMs}
   */
  long start(long timeoutMs) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Path log = logDir.resolve("server-" + ++starts + ".log");
    process =
        new ProcessBuilder(launcher.toString(), "server", "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)
          && Files.readString(log, StandardCharsets.UTF_8).contains("Server listening on")) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      }
      if (!process.isAlive()) {
        throw new IOException("the server exited with " + process.exitValue() + "; see " + log);
      }
      Thread.sleep(20);
    }
    throw new IOException("the server did not listen within " + timeoutMs + " ms; see " + log);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** {@code VmRSS} and {@code VmHWM} of the server in MiB, or -1 each when unreadable. */
  double[] memoryMib() {
    double rss = -1;
    double hwm = -1;
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/" + pid() + "/status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line) / 1024.0;
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line) / 1024.0;
        }
      }
    } catch (IOException e) {
      // gone: reported as -1
    }
    return new double[] {rss, hwm};
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
