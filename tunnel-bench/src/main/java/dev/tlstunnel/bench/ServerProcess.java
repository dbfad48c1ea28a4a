package dev.tlstunnel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tunnel server in its own process, started through the shipped launcher ({@code ./tls-tunnel
 * server -c FILE}, which execs the JVM, so the process is the server's JVM): its memory is read
 * from {@code /proc}, its collector's pauses from a GC log ({@code -Xlog:gc}, added to {@code
 * JAVA_OPTS} after the launcher's flags and the given options), and it can be killed with SIGKILL
 * and started again.
 */
final class ServerProcess implements AutoCloseable {
  // -Xlog:gc: "[0.9s][info][gc] GC(3) Pause Young (Allocation Failure) 40M->21M(123M) 5.123ms"
  private static final Pattern PAUSE = Pattern.compile("Pause (\\w+).* ([\\d.]+)ms$");

  private final Path launcher;
  private final Path config;
  private final Path logDir;
  private final String javaOpts;
  private Process process;
  private Path gcLog;
  private int starts;

  ServerProcess(Path launcher, Path config, Path logDir, String javaOpts) {
    this.launcher = launcher;
    this.config = config;
    this.logDir = logDir;
    this.javaOpts = javaOpts;
  }

  /**
   * Starts the server and waits until it logs that it listens; returns the time that took.
   *
   * @throws IOException when it exits or does not listen within {@code timeoutMs}
   */
  long start(long timeoutMs) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Path log = logDir.resolve("server-" + ++starts + ".log");
    gcLog = logDir.resolve("server-" + starts + "-gc.log");
    ProcessBuilder b =
        new ProcessBuilder(launcher.toString(), "server", "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    b.environment().put("JAVA_OPTS", (javaOpts + " -Xlog:gc:file=" + gcLog).strip());
    process = b.start();
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

  /** The collector's pauses so far, e.g. {@code 41 pauses, 12 full, 1830 ms in all, max 95 ms}. */
  String gcPauses() {
    int pauses = 0;
    int full = 0;
    double total = 0;
    double max = 0;
    try {
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = PAUSE.matcher(line);
        if (m.find()) {
          double ms = Double.parseDouble(m.group(2));
          pauses++;
          full += m.group(1).equals("Full") ? 1 : 0;
          total += ms;
          max = Math.max(max, ms);
        }
      }
    } catch (IOException e) {
      return "no GC log (" + e.getMessage() + ")";
    }
    return String.format(
        Locale.ROOT, "%d pauses, %d full, %.0f ms in all, max %.0f ms", pauses, full, total, max);
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
