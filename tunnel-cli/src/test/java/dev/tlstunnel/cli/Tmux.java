package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real tmux server of its own (its own socket name) running one command in a detached session of
 * a fixed size: keys are sent with {@code send-keys}, the screen read with {@code capture-pane}.
 */
final class Tmux implements AutoCloseable {
  private static final String TMUX = "/usr/bin/tmux";
  private final String socket;

  private Tmux(String socket) {
    this.socket = socket;
  }

  /** Starts {@code command} in a {@code width} x {@code height} session named {@code main}. */
  static Tmux start(List<String> command, int width, int height) throws Exception {
    if (Files.notExists(Path.of(TMUX))) {
      fail("%s is missing: install it with apt-get install -y tmux (.ci/run does)", TMUX);
    }
    Tmux t = new Tmux("tls-tunnel-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    List<String> args =
        new ArrayList<>(List.of("-f", "/dev/null", "new-session", "-d", "-s", "main"));
    args.addAll(List.of("-x", String.valueOf(width), "-y", String.valueOf(height)));
    args.add(String.join(" ", command.stream().map(Tmux::quote).toList()));
    t.run(args);
    return t;
  }

  /** The visible screen, one string. */
  String screen() throws Exception {
    return run(List.of("capture-pane", "-p", "-t", "main"));
  }

  /** Waits until the screen satisfies {@code check}; fails with the last screen otherwise. */
  String awaitScreen(Predicate<String> check) throws Exception {
    String[] last = {""};
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                last[0] = screen();
                return check.test(last[0]);
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("screen never matched; last screen:\n" + last[0], e);
    }
    return last[0];
  }

  void sendKeys(String... keys) throws Exception {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", "main"));
    args.addAll(List.of(keys));
    run(args);
  }

  /** Whether the session still runs (it ends when its command exits). */
  boolean running() throws Exception {
    return exec(List.of("has-session", "-t", "main")).code == 0;
  }

  @Override
  public void close() throws IOException {
    try {
      exec(List.of("kill-server"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String run(List<String> args) throws Exception {
    Result r = exec(args);
    if (r.code != 0) {
      fail("tmux %s failed (%d): %s", args, r.code, r.output);
    }
    return r.output;
  }

  private record Result(int code, String output) {}

  private Result exec(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(TMUX, "-L", socket));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("tmux %s did not finish", args);
    }
    return new Result(p.exitValue(), out);
  }

  private static String quote(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }
}
