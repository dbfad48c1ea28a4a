package dev.tlstunnel.client;

import dev.tlstunnel.metrics.BoundedSeries;
import dev.tlstunnel.metrics.Traffic;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's counters, kept from its own listener events (it is the client's first listener): per
 * proxy connections, failures by reason, durations and local dial times, plus the bytes {@link
 * LocalMeter} adds as they pass; and the session's connects, disconnects and start. Called on the
 * client's event loop; read from any thread.
 */
final class ClientMetrics implements TunnelClient.Listener {
  private final BoundedSeries<Traffic> traffic;
  final LongAdder connects = new LongAdder();
  final LongAdder connectFailures = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  private final Instant startedAt;
  private volatile Instant connectedAt;
  private volatile String serverVersion;

  ClientMetrics(int labelLimit, Instant startedAt) {
    this.traffic = new BoundedSeries<>(labelLimit, name -> new Traffic(true));
    this.startedAt = startedAt;
  }

  BoundedSeries<Traffic> allTraffic() {
    return traffic;
  }

  Instant startedAt() {
    return startedAt;
  }

  /** When the current session came up, or null while not connected. */
  Instant connectedAt() {
    return connectedAt;
  }

  String serverVersion() {
    return serverVersion;
  }

  void tick() {
    traffic.forEach((name, t) -> t.tick());
  }

  /** The counters of proxy {@code proxy}, for its streams' {@link LocalMeter}s. */
  Traffic traffic(String proxy) {
    return traffic.get(proxy);
  }

  /** Streams that report through {@code events} (whose listeners include this one). */
  StreamObserver observer(ClientEvents events) {
    return new StreamObserver() {
      @Override
      public Traffic traffic(String proxy) {
        return traffic.get(proxy);
      }

      @Override
      public void opened(String proxy, String peer, long dialNanos) {
        events.connectionOpened(proxy, peer, Duration.ofNanos(dialNanos));
      }

      @Override
      public void failed(String proxy, String peer, String reason, String message) {
        events.connectionFailed(proxy, peer, reason, message);
      }

      @Override
      public void closed(String proxy, String peer, long in, long out, long nanos) {
        events.connectionClosed(proxy, peer, in, out, Duration.ofNanos(nanos));
      }
    };
  }

  // ---- Listener ----

  @Override
  public void connected(ClientEvent.Connected e) {
    connects.increment();
    connectedAt = e.time();
    serverVersion = e.serverVersion();
  }

  @Override
  public void connectFailed(ClientEvent.ConnectFailed e) {
    connectFailures.increment();
  }

  @Override
  public void disconnected(ClientEvent.Disconnected e) {
    disconnects.increment();
    connectedAt = null;
  }

  @Override
  public void stopped(ClientEvent.Stopped e) {
    connectedAt = null;
  }

  @Override
  public void connectionOpened(ClientEvent.ConnectionOpened e) {
    traffic.get(e.proxyName()).opened();
  }

  @Override
  public void connectionFailed(ClientEvent.ConnectionFailed e) {
    traffic.get(e.proxyName()).failed(e.reason());
  }

  @Override
  public void connectionClosed(ClientEvent.ConnectionClosed e) {
    traffic.get(e.proxyName()).closed(e.duration().toNanos());
  }
}
