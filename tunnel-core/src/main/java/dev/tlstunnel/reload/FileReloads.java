package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ReloadConfig;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server's or client's configuration file and the ways a reload of it is asked for: the
 * file polled ({@code watch = true}), a Unix domain socket answering {@code POST /api/reload}, and
 * the same request on the client's admin API. Each ends in the facade's reload of the file.
 */
public final class FileReloads implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileReloads.class);

  /** Loads a configuration file, validated. */
  public interface Loader<C> {
    C load(Path file) throws ConfigException;
  }

  /** What loading gave: the configuration, or the problems that refuse it. */
  public record Loaded<C>(C config, ReloadResult refused) {}

  private final Path file;
  private final Function<Boolean, CompletableFuture<ReloadResult>> reloadFile;
  private final ScheduledExecutorService thread;
  private volatile String loadedDigest;
  private ConfigWatcher watcher;
  private ControlSocket socket;

  /**
   * @param file the configuration file, or null when the configuration came from code
   * @param reloadFile the facade's reload of the file ({@code true}: a dry run)
   */
  public FileReloads(Path file, Function<Boolean, CompletableFuture<ReloadResult>> reloadFile) {
    this.file = file;
    this.reloadFile = reloadFile;
    this.loadedDigest = file == null ? null : digest(file);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tunnel-reload");
              t.setDaemon(true);
              return t;
            });
  }

  /** The configuration file, or null. */
  public Path file() {
    return file;
  }

  /**
   * Listens on a Unix domain socket at {@code path} for reload requests; a failure is logged (the
   * rest of the tunnel runs without it).
   */
  public void listen(EventLoopGroup group, Path path) {
    try {
      socket = ControlSocket.start(group, path, this::request);
      log.info("Reload requests accepted on {}", path);
    } catch (IOException e) {
      log.warn("Cannot listen for reload requests on {}: {}", path, e.getMessage());
    }
  }

  /** Watches the file, or stops, as {@code settings} say; without a file, nothing. */
  public synchronized void watch(ReloadConfig settings) {
    if (file == null) {
      return;
    }
    if (settings.watch() && watcher == null) {
      watcher =
          new ConfigWatcher(file, () -> loadedDigest, () -> reloadFile.apply(false).join(), thread);
    }
    if (watcher != null) {
      boolean was = watcher.polling();
      watcher.poll(settings.watch() ? settings.watchInterval() : null);
      if (settings.watch() && !was) {
        log.info("Watching {} for changes", file);
      }
    }
  }

  /**
   * Loads the file with {@code loader}; an invalid file gives a refused result naming every
   * problem's key, the file first.
   */
  public <C> Loaded<C> load(Loader<C> loader) {
    if (file == null) {
      return new Loaded<>(
          null,
          new ReloadResult(
              ReloadResult.Outcome.REFUSED,
              List.of(),
              "started without a configuration file: there is none to reload"));
    }
    String digest = digest(file);
    try {
      C config = loader.load(file);
      loadedDigest = digest;
      return new Loaded<>(config, null);
    } catch (ConfigException e) {
      loadedDigest = digest;
      return new Loaded<>(
          null,
          new ReloadResult(
              ReloadResult.Outcome.REFUSED,
              List.of(),
              String.join("\n", e.problems().stream().map(p -> file + ": " + p).toList())));
    }
  }

  /**
   * A request of the control socket or the admin API: for {@code asked}, which must be the file.
   */
  CompletableFuture<ReloadResult> request(boolean dryRun, String asked) {
    if (file != null && asked != null && !sameFile(file, Path.of(asked))) {
      return CompletableFuture.completedFuture(
          new ReloadResult(
              ReloadResult.Outcome.REFUSED,
              List.of(),
              "this process runs " + file.toAbsolutePath() + ", not " + asked));
    }
    return CompletableFuture.supplyAsync(() -> reloadFile.apply(dryRun), thread)
        .thenCompose(f -> f);
  }

  /** The admin API's route to the same requests. */
  public ReloadHttpHandler.Target target() {
    return this::request;
  }

  static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  /** SHA-256 of the file's bytes, or null when it cannot be read. */
  static String digest(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.poll(null);
    }
    if (socket != null) {
      socket.close();
    }
    thread.shutdownNow();
  }
}
