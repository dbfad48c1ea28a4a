package dev.tlstunnel.bench;

import dev.tlstunnel.bench.ClientFleet.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Waits until every client of a fleet is back and serving: once a client has all proxies healthy
 * (registered after {@code since}; with {@code afterAll}, once every client has), each of its
 * proxies gets an {@link EchoCheck}; a client counts as serving when all its checks passed. A
 * failed check is counted and tried again 250 ms later, until the deadline.
 */
final class Rollcall {
  private static final int IDLE = 0;
  private static final int RUNNING = 1;
  private static final int FAILED = 2;
  private static final int SERVED = 3;
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** Per client, milliseconds from {@code since} until healthy and until serving (-1: never). */
  record Result(long[] healthyMs, long[] servingMs, int failedChecks, List<String> failures) {
    int serving() {
      return (int) Arrays.stream(servingMs).filter(v -> v >= 0).count();
    }

    /** When the last client was healthy, or -1 when some never were. */
    long allHealthyMs() {
      return Arrays.stream(healthyMs).anyMatch(v -> v < 0)
          ? -1
          : Arrays.stream(healthyMs).max().orElse(-1);
    }

    /** When the last client was serving, or -1 when some never were. */
    long allServingMs() {
      return serving() < servingMs.length ? -1 : Arrays.stream(servingMs).max().orElse(-1);
    }
  }

  private Rollcall() {}

  static Result run(
      List<Member> members,
      long since,
      long deadline,
      boolean afterAll,
      ExecutorService checks,
      int payload)
      throws InterruptedException {
    int n = members.size();
    AtomicIntegerArray state = new AtomicIntegerArray(n);
    AtomicLongArray servedAt = new AtomicLongArray(n);
    AtomicLongArray retryAt = new AtomicLongArray(n);
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    int served = 0;
    while (served < n && System.nanoTime() < deadline) {
      long now = System.nanoTime();
      if (afterAll && !members.stream().allMatch(m -> back(m, since))) {
        Thread.sleep(20);
        continue;
      }
      served = 0;
      for (int i = 0; i < n; i++) {
        Member m = members.get(i);
        int st = state.get(i);
        if (st == SERVED) {
          served++;
        } else if (st == FAILED && now - retryAt.get(i) >= 0) {
          state.set(i, IDLE);
        } else if (st == IDLE && back(m, since)) {
          state.set(i, RUNNING);
          int idx = i;
          checks.execute(
              () -> {
                String error = checkAll(m, payload);
                if (error == null) {
                  servedAt.set(idx, System.nanoTime());
                  state.set(idx, SERVED);
                } else {
                  failed.incrementAndGet();
                  if (failures.size() < 10) {
                    failures.add(error);
                  }
                  retryAt.set(idx, System.nanoTime() + RETRY_NANOS);
                  state.set(idx, FAILED);
                }
              });
        }
      }
      Thread.sleep(20);
    }
    long[] healthyMs = new long[n];
    long[] servingMs = new long[n];
    for (int i = 0; i < n; i++) {
      long h = members.get(i).allHealthyAt();
      healthyMs[i] = h != 0 && h - since > 0 ? TimeUnit.NANOSECONDS.toMillis(h - since) : -1;
      long s = servedAt.get(i);
      servingMs[i] = s != 0 ? TimeUnit.NANOSECONDS.toMillis(s - since) : -1;
    }
    return new Result(healthyMs, servingMs, failed.get(), failures);
  }

  private static boolean back(Member m, long since) {
    return m.allHealthy() && m.allHealthyAt() - since > 0;
  }

  private static String checkAll(Member m, int payload) {
    for (int p = 0; p < m.proxies; p++) {
      String error = EchoCheck.check(m.publicPort(p), m.tag(p), payload);
      if (error != null) {
        return "client " + m.index + " proxy p" + p + ": " + error;
      }
    }
    return null;
  }
}
