package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HashiCorp's Go yamux as a separate process ({@code src/test/resources/yamux-peer/peer.go}). The
 * binary is built once per test run into {@code target/yamux-peer/}; a missing Go toolchain fails
 * the test with instructions instead of skipping it.
 */
final class GoPeer implements AutoCloseable {
  private static final Path DIR = Paths.get("target", "yamux-peer").toAbsolutePath();
  private static Path binary;

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private GoPeer(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("EXCEPTION " + e);
              }
            },
            "go-peer-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static GoPeer start(String logName, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(build().toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectError(DIR.resolve(logName + ".stderr.log").toFile())
            .start();
    return new GoPeer(p);
  }

  /** The next stdout line, failing after {@code seconds}. */
  String nextLine(int seconds) throws InterruptedException {
    String line = lines.poll(seconds, TimeUnit.SECONDS);
    if (line == null) {
      fail("Go peer printed nothing within %d s (alive=%s)", seconds, process.isAlive());
    }
    return line;
  }

  int waitFor(int seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      fail("Go peer did not exit within %d s", seconds);
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroy();
  }

  private static synchronized Path build() throws IOException, InterruptedException {
    if (binary != null) {
      return binary;
    }
    Files.createDirectories(DIR);
    Path source;
    try {
      source = Paths.get(GoPeer.class.getResource("/yamux-peer/peer.go").toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    Path out = DIR.resolve("peer");
    ProcessBuilder pb =
        new ProcessBuilder("go", "build", "-o", out.toString(), source.toString())
            .redirectErrorStream(true)
            .redirectOutput(DIR.resolve("build.log").toFile());
    pb.environment().put("GO111MODULE", "off");
    pb.environment().putIfAbsent("GOPATH", "/usr/share/gocode");
    pb.environment().put("GOCACHE", DIR.resolve("go-cache").toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return fail(
          "The yamux interop tests need the Go toolchain and HashiCorp's yamux: install the Debian"
              + " packages golang-go and golang-github-hashicorp-yamux-dev ("
              + e.getMessage()
              + ")");
    }
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      fail("go build of the yamux peer failed: %s", Files.readString(DIR.resolve("build.log")));
    }
    binary = out;
    return binary;
  }
}
