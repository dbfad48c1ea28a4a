package dev.tlstunnel.forward;

import dev.tlstunnel.config.RouteVia;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one forwarder; updated on event loops, read by the status API. */
final class ForwarderStats {
  final AtomicLong active = new AtomicLong();
  final LongAdder total = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder direct = new LongAdder();
  final LongAdder tunneled = new LongAdder();
  final LongAdder blocked = new LongAdder();
  final LongAdder bytesIn = new LongAdder();
  final LongAdder bytesOut = new LongAdder();
  volatile String lastError;

  void connected(RouteVia via) {
    (via == RouteVia.DIRECT ? direct : tunneled).increment();
  }
}
