package dev.tlstunnel.notify;

import dev.tlstunnel.config.NotifyConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One notification target: a bounded queue and one daemon worker thread that delivers its notices
 * in order, retrying each with doubling delays. {@link #offer} never blocks (a full queue drops the
 * notice and counts it). A delivery failure is logged at WARN once per cause, later ones of the
 * same cause at DEBUG; the next success is logged at INFO.
 */
final class Notifier {
  private static final Logger log = LoggerFactory.getLogger(Notifier.class);

  private final NotifyConfig target;
  private final Delivery delivery;
  private final BlockingQueue<Notice> queue;
  private final Thread worker;
  private final Set<String> loggedCauses = ConcurrentHashMap.newKeySet();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  final LongAdder delivered = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder attempts = new LongAdder();
  private volatile boolean failing;
  private volatile boolean dropLogged;

  Notifier(NotifyConfig target, String threadName) {
    this.target = target;
    this.delivery = new Delivery(target);
    this.queue = new ArrayBlockingQueue<>(target.queueSize());
    this.worker = new Thread(this::run, threadName);
    worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  NotifyConfig target() {
    return target;
  }

  /** Queues {@code notice} if this target wants it; drops and counts it when the queue is full. */
  void offer(Notice notice) {
    if (!target.wants(notice.event())) {
      return;
    }
    if (!queue.offer(notice)) {
      dropped.increment();
      if (!dropLogged) {
        dropLogged = true;
        log.warn(
            "Notifications to {}: queue of {} full; dropping events until it drains",
            target.describe(),
            target.queueSize());
      }
    }
  }

  /** Notices waiting now. */
  int queued() {
    return queue.size();
  }

  /**
   * The metric label of a cause, from a small fixed set: {@code http_<code>}, {@code timeout},
   * {@code connection_refused}, {@code exit_<status>}, {@code error}.
   */
  static String kind(String cause) {
    if (cause.startsWith("HTTP ")) {
      return "http_" + cause.substring(5);
    }
    if (cause.startsWith("exit ")) {
      return "exit_" + cause.substring(5);
    }
    return switch (cause) {
      case "timeout" -> "timeout";
      case "connection refused" -> "connection_refused";
      default -> "error";
    };
  }

  /** Failed attempts by kind of cause ({@link #kind}). */
  Map<String, Long> failuresByCause() {
    Map<String, Long> out = new java.util.TreeMap<>();
    failures.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void close() {
    worker.interrupt();
    queue.clear();
  }

  private void run() {
    try {
      while (true) {
        Notice notice = queue.take();
        if (queue.remainingCapacity() > 0) {
          dropLogged = false;
        }
        deliver(notice);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliver(Notice notice) throws InterruptedException {
    long delay = target.retryDelay().toNanos();
    for (int attempt = 0; ; attempt++) {
      attempts.increment();
      String cause = delivery.deliver(notice);
      if (cause == null) {
        delivered.increment();
        if (failing) {
          failing = false;
          log.info("Notifications to {} delivered again", target.describe());
        }
        return;
      }
      failures.computeIfAbsent(kind(cause), c -> new LongAdder()).increment();
      boolean last = attempt >= target.retries();
      logFailure(notice, cause, last);
      if (last) {
        failed.increment();
        return;
      }
      TimeUnit.NANOSECONDS.sleep(delay);
      delay = Math.min(delay * 2, TimeUnit.MINUTES.toNanos(5));
    }
  }

  private void logFailure(Notice notice, String cause, boolean last) {
    failing = true;
    String outcome = last ? "giving up on it" : "will retry";
    if (loggedCauses.add(cause)) {
      log.warn(
          "Notification {} to {} failed: {}; {} (later failures of this kind are logged at"
              + " DEBUG)",
          notice.event(),
          target.describe(),
          cause,
          outcome);
    } else {
      log.debug(
          "Notification {} to {} failed: {}; {}",
          notice.event(),
          target.describe(),
          cause,
          outcome);
    }
  }
}
