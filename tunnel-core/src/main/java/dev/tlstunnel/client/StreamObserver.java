package dev.tlstunnel.client;

import dev.tlstunnel.metrics.Traffic;

/**
 * What the streams the server opens report: where their bytes are counted, and their opening,
 * failure and closing (as {@link ClientEvent}s to the client's listeners). Called on the client's
 * event loop.
 */
interface StreamObserver {
  /** Counts nothing and tells no one (handler tests). */
  StreamObserver NONE =
      new StreamObserver() {
        @Override
        public Traffic traffic(String proxy) {
          return new Traffic(true);
        }

        @Override
        public void opened(String proxy, String peer, long dialNanos) {}

        @Override
        public void failed(String proxy, String peer, String reason, String message) {}

        @Override
        public void closed(String proxy, String peer, long in, long out, long nanos) {}
      };

  /** The counters of proxy {@code proxy}. */
  Traffic traffic(String proxy);

  void opened(String proxy, String peer, long dialNanos);

  void failed(String proxy, String peer, String reason, String message);

  void closed(String proxy, String peer, long in, long out, long nanos);
}
