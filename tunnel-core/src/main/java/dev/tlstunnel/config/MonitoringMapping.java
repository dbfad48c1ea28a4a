package dev.tlstunnel.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Maps the monitoring keys of {@code [server]} or {@code [client]}: the admin listener's address
 * and port (server), its credentials, {@code metrics_label_limit} and the {@code [[notify]]}
 * tables. Like {@link TomlMapping}, it reports unknown keys and wrong types and leaves value rules
 * to {@link MonitoringCheck}.
 */
final class MonitoringMapping {
  /** The keys this class reads from {@code [server]}. */
  static final List<String> SERVER_KEYS =
      List.of(
          "admin_addr",
          "admin_port",
          "admin_token",
          "admin_user",
          "admin_password",
          "metrics_label_limit",
          "notify");

  /** The keys this class reads from {@code [client]} (its admin address and port are its own). */
  static final List<String> CLIENT_KEYS =
      List.of("admin_token", "admin_user", "admin_password", "metrics_label_limit", "notify");

  static final List<String> NOTIFY_KEYS =
      List.of("url", "exec", "events", "secret", "timeout", "retries", "retry_delay", "queue_size");

  private MonitoringMapping() {}

  static MonitoringConfig server(TomlTable s) {
    return read(s).withAdmin(s.string("admin_addr"), s.integer("admin_port"));
  }

  static MonitoringConfig client(TomlTable c) {
    return read(c);
  }

  private static MonitoringConfig read(TomlTable t) {
    Integer limit = t.integer("metrics_label_limit");
    List<NotifyConfig> notify = new ArrayList<>();
    for (TomlTable n : t.tableArray("notify", NOTIFY_KEYS)) {
      notify.add(notify(n));
    }
    return new MonitoringConfig(
        null,
        null,
        t.string("admin_token"),
        t.string("admin_user"),
        t.string("admin_password"),
        limit == null ? MonitoringConfig.DEFAULT_LABEL_LIMIT : limit,
        notify);
  }

  private static NotifyConfig notify(TomlTable n) {
    URI url = null;
    String text = n.string("url");
    if (text != null) {
      try {
        url = new URI(text);
      } catch (URISyntaxException e) {
        n.error("url", "not a URL: " + e.getMessage());
      }
    }
    List<String> exec = n.has("exec") ? n.stringList("exec") : null;
    List<String> events = n.has("events") ? n.stringList("events") : null;
    Integer retries = n.integer("retries");
    Integer queue = n.integer("queue_size");
    Duration timeout = n.duration("timeout");
    Duration delay = n.duration("retry_delay");
    return new NotifyConfig(
        url,
        exec,
        events == null ? null : new LinkedHashSet<>(events),
        n.string("secret"),
        timeout == null ? NotifyConfig.DEFAULT_TIMEOUT : timeout,
        retries == null ? NotifyConfig.DEFAULT_RETRIES : retries,
        delay == null ? NotifyConfig.DEFAULT_RETRY_DELAY : delay,
        queue == null ? NotifyConfig.DEFAULT_QUEUE_SIZE : queue);
  }
}
