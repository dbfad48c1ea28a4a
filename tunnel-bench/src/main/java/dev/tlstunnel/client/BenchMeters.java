package dev.tlstunnel.client;

import dev.tlstunnel.metrics.Traffic;
import io.netty.channel.ChannelHandler;

/**
 * The client's per-connection byte counter ({@link LocalMeter}), the same handler the client puts
 * on every local service connection, counting into one {@link Traffic}, for the relay benchmark.
 */
public final class BenchMeters {
  private BenchMeters() {}

  /** A new meter counting into {@code traffic}; its close reports go nowhere. */
  public static ChannelHandler meter(Traffic traffic, long openedNanos) {
    StreamObserver observer =
        new StreamObserver() {
          @Override
          public Traffic traffic(String proxy) {
            return traffic;
          }

          @Override
          public void opened(String proxy, String peer, long dialNanos) {}

          @Override
          public void failed(String proxy, String peer, String reason, String message) {}

          @Override
          public void closed(String proxy, String peer, long in, long out, long nanos) {
            traffic.closed(nanos);
          }
        };
    return new LocalMeter(observer, "bench", "127.0.0.1:1", openedNanos);
  }
}
