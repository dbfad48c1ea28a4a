package dev.tlstunnel.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threads a cluster node's claims and releases wait for etcd on, so that no session's event
 * loop waits with them. The calls under one key (a client) run one at a time in the order asked (a
 * release after the claim it undoes); other keys' calls run side by side on a few threads, so that
 * one claim waiting out etcd's call timeout holds up only the clients that share its thread.
 */
final class ClaimCalls {
  private static final int THREADS = 4;

  private final ExecutorService[] threads = new ExecutorService[THREADS];

  ClaimCalls(String name) {
    for (int i = 0; i < THREADS; i++) {
      String threadName = name + "-" + i;
      threads[i] =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
              });
    }
  }

  /**
   * Runs {@code call} after the calls asked before under {@code key}.
   *
   * @throws RejectedExecutionException once {@link #close} has begun
   */
  <T> CompletableFuture<T> submit(String key, Supplier<T> call) {
    return CompletableFuture.supplyAsync(call, of(key));
  }

  /** Like {@link #submit}, for a call with no result. */
  void execute(String key, Runnable call) {
    of(key).execute(call);
  }

  private ExecutorService of(String key) {
    return threads[Math.floorMod(key.hashCode(), THREADS)];
  }

  /**
   * Lets the calls asked so far finish for up to {@code seconds}, then interrupts what still runs.
   */
  void close(long seconds) {
    for (ExecutorService t : threads) {
      t.shutdown();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try {
      for (ExecutorService t : threads) {
        t.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (ExecutorService t : threads) {
        t.shutdownNow();
      }
    }
  }
}
