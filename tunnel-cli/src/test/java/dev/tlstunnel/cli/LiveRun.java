package dev.tlstunnel.cli;

import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running command (server, client) run in-process on another thread, whose output can be
 * read while it runs; {@link #stop()} triggers its stop signal and returns the result.
 */
final class LiveRun implements AutoCloseable {
  private final StopSignal stop = StopSignal.manual();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CompletableFuture<Integer> code;

  private LiveRun(String... args) {
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    code =
        CompletableFuture.supplyAsync(
            () -> Main.commandLine(new Main(stop), outWriter, errWriter, args).execute(args));
  }

  static LiveRun start(String... args) {
    return new LiveRun(args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  boolean isDone() {
    return code.isDone();
  }

  /** Waits until stdout matches {@code regex} and returns group 1, failing if the run ends. */
  String awaitOut(String regex) {
    Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Matcher m = pattern.matcher(out());
              if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
              }
              if (code.isDone()) {
                throw new AssertionError("ended with " + code.join() + ": " + err() + out());
              }
              return null;
            },
            s -> s != null);
  }

  /** Waits for the command to end by itself; returns its exit code. */
  int awaitExit() throws Exception {
    try {
      return code.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("still running after 30s; output: " + out() + err(), e);
    }
  }

  /** Sends the command what SIGHUP would (a reload of its config file). */
  void hangup() {
    stop.hangup();
  }

  /** Stops the command and returns its exit code. */
  int stop() throws Exception {
    stop.trigger();
    return code.get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    stop.trigger();
    code.orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> -1).join();
  }
}
