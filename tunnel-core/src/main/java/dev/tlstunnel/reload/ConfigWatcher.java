package dev.tlstunnel.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Polls a configuration file ({@code watch = true}): every interval it compares the file's
 * modification time and size with the last poll, and when they differ its content hash with the
 * hash of the content last loaded; a new hash asks for a reload. Runs on the reload thread of its
 * {@link FileReloads}, which also runs the reloads it asks for (reading files is blocking work).
 */
final class ConfigWatcher {
  private final Path file;
  private final Supplier<String> lastLoaded;
  private final Runnable onChange;
  private final ScheduledExecutorService thread;
  private ScheduledFuture<?> polling;
  private Duration interval;
  private FileTime lastModified;
  private long lastSize = -1;

  /**
   * @param lastLoaded the content hash of the file as last loaded (null: not loaded)
   * @param onChange asks for a reload; runs on the watcher's thread
   */
  ConfigWatcher(
      Path file, Supplier<String> lastLoaded, Runnable onChange, ScheduledExecutorService thread) {
    this.file = file;
    this.lastLoaded = lastLoaded;
    this.onChange = onChange;
    this.thread = thread;
  }

  /** Polls every {@code every}, or stops polling when it is null. */
  synchronized void poll(Duration every) {
    if (Objects.equals(every, interval)) {
      return;
    }
    if (polling != null) {
      polling.cancel(false);
      polling = null;
    }
    interval = every;
    if (every != null) {
      long nanos = every.toNanos();
      polling = thread.scheduleWithFixedDelay(this::check, nanos, nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Whether it polls now. */
  synchronized boolean polling() {
    return polling != null;
  }

  private void check() {
    FileTime modified;
    long size;
    try {
      modified = Files.getLastModifiedTime(file);
      size = Files.size(file);
    } catch (IOException e) {
      return; // being replaced, or gone for now: the next poll sees it
    }
    if (modified.equals(lastModified) && size == lastSize) {
      return;
    }
    lastModified = modified;
    lastSize = size;
    String hash = FileReloads.digest(file);
    if (hash != null && !hash.equals(lastLoaded.get())) {
      onChange.run();
    }
  }
}
