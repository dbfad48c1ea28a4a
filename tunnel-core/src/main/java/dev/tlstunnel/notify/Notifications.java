package dev.tlstunnel.notify;

import dev.tlstunnel.config.NotifyConfig;
import dev.tlstunnel.metrics.Exposition;
import java.util.ArrayList;
import java.util.List;

/** Every notification target of one server or client; a reload may replace them. */
public final class Notifications implements AutoCloseable {
  private final String owner;
  private volatile List<Notifier> targets;

  /**
   * Starts one worker per target.
   *
   * @param owner names the worker threads, e.g. {@code server-7000}
   */
  public Notifications(List<NotifyConfig> configs, String owner) {
    this.owner = owner;
    this.targets = start(configs, owner);
  }

  private static List<Notifier> start(List<NotifyConfig> configs, String owner) {
    List<Notifier> started = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      started.add(new Notifier(configs.get(i), "tunnel-notify-" + owner + "-" + i));
    }
    started.forEach(Notifier::start);
    return List.copyOf(started);
  }

  /**
   * Puts {@code configs} in place of the targets in use: notices from now on go to the new ones;
   * the old ones stop, dropping what they still had queued. The delivery counters start again from
   * zero.
   */
  public synchronized void replace(List<NotifyConfig> configs) {
    List<Notifier> old = targets;
    targets = start(configs, owner);
    old.forEach(Notifier::close);
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
          List<Notifier> targets = this.targets;
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
          List<Notifier> targets = this.targets;
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
          List<Notifier> targets = this.targets;
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
