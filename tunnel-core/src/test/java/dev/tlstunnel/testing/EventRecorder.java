package dev.tlstunnel.testing;

import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every event a server or client reports, in order, for tests to wait for and inspect. */
public final class EventRecorder implements TunnelServer.Listener, TunnelClient.Listener {
  private final List<Object> events = new ArrayList<>();

  @Override
  public synchronized void onEvent(ServerEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void onEvent(ClientEvent event) {
    events.add(event);
  }

  /** Every event of {@code type} so far, in order. */
  public synchronized <E> List<E> all(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Every event so far, in order. */
  public synchronized List<Object> all() {
    return List.copyOf(events);
  }

  /** Waits (10 s at most) for the first event of {@code type} that {@code matches}. */
  public <E> E awaitFirst(Class<E> type, Predicate<E> matches) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> all(type).stream().filter(matches).findFirst().orElse(null),
            java.util.Objects::nonNull);
  }
}
