package dev.tlstunnel.notify;

import dev.tlstunnel.config.NotifyConfig;
import dev.tlstunnel.metrics.Exposition;
import java.util.ArrayList;
import java.util.List;

/** Every notification target of one server or client. */
public final class Notifications implements AutoCloseable {
  private final List<Notifier> targets = new ArrayList<>();

  /**
   * Starts one worker per target.
   *
   * @param owner names the worker threads, e.g. {@code server-7000}
   */
  public Notifications(List<NotifyConfig> configs, String owner) {
    for (int i = 0; i < configs.size(); i++) {
      targets.add(new Notifier(configs.get(i), "tunnel-notify-" + owner + "-" + i));
    }
    targets.forEach(Notifier::start);
  }

  /** Whether no target is configured (nothing need be built). */
  public boolean isEmpty() {
    return targets.isEmpty();
  }

  /** Queues {@code notice} on every target that wants it; never blocks. */
  public void publish(Notice notice) {
    for (Notifier n : targets) {
      n.offer(notice);
    }
  }

  /** The delivery counters, as {@code tlstunnel_notify_*} metrics. */
  public void writeTo(Exposition e) {
    e.counter(
        "tlstunnel_notify_deliveries",
        null,
        "Notifications by target and result: delivered, failed (after every retry), dropped"
            + " (queue full).",
        p -> {
          for (int i = 0; i < targets.size(); i++) {
            Notifier n = targets.get(i);
            String t = String.valueOf(i);
            p.add(n.delivered.sum(), "target", t, "result", "delivered");
            p.add(n.failed.sum(), "target", t, "result", "failed");
            p.add(n.dropped.sum(), "target", t, "result", "dropped");
          }
        });
    e.counter(
        "tlstunnel_notify_attempt_failures",
        null,
        "Failed delivery attempts by target and cause (retries included).",
        p -> {
          for (int i = 0; i < targets.size(); i++) {
            String t = String.valueOf(i);
            targets
                .get(i)
                .failuresByCause()
                .forEach((cause, n) -> p.add(n, "target", t, "cause", cause));
          }
        });
    e.gauge(
        "tlstunnel_notify_queued",
        null,
        "Notifications waiting for delivery, by target.",
        p -> {
          for (int i = 0; i < targets.size(); i++) {
            p.add(targets.get(i).queued(), "target", String.valueOf(i));
          }
        });
  }

  @Override
  public void close() {
    targets.forEach(Notifier::close);
  }
}
