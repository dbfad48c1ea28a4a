package dev.tlstunnel.egress;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for blocking name look-ups: at most {@code threads} at once, none while idle (they end
 * after 30 s without work), at most {@code queue} look-ups waiting; beyond that a look-up is
 * rejected (the caller answers "resolver busy"). One pool per server or client, never shared.
 */
public final class ResolverThreads {
  private ResolverThreads() {}

  public static ExecutorService create(String name, int threads, int queue) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, name + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
