package dev.tlstunnel.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one proxy, forwarder or session: connections opened, closed and failed (by
 * reason), bytes each way, connection durations and, where something is dialed, dial times; plus
 * their rates, sampled by {@link #tick()} once a second. "In" is what the connecting party sent
 * (towards the service), "out" what it received. Safe from any thread; the per-buffer calls {@link
 * #received} and {@link #sent} only add to an adder.
 */
public final class Traffic {
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder opened = new LongAdder();
  private final LongAdder closed = new LongAdder();
  private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
  private final Histogram durations = new Histogram(Histogram.CONNECTION_SECONDS);
  private final Histogram dials;
  private final RateWindow inRate = new RateWindow();
  private final RateWindow outRate = new RateWindow();
  private final RateWindow openRate = new RateWindow();

  /**
   * @param withDials whether dial times are kept (the client's local dials)
   */
  public Traffic(boolean withDials) {
    this.dials = withDials ? new Histogram(Histogram.DIAL_SECONDS) : null;
  }

  /** Bytes from the connecting party. */
  public void received(long bytes) {
    bytesIn.add(bytes);
  }

  /** Bytes to the connecting party. */
  public void sent(long bytes) {
    bytesOut.add(bytes);
  }

  public void opened() {
    opened.increment();
  }

  /** A connection that was opened closed after {@code nanos}. */
  public void closed(long nanos) {
    closed.increment();
    durations.observeNanos(nanos);
  }

  /** A connection failed before it relayed anything, for {@code reason} (a fixed word). */
  public void failed(String reason) {
    failed.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** A dial took {@code nanos} (only kept when made with dial times). */
  public void dialed(long nanos) {
    if (dials != null) {
      dials.observeNanos(nanos);
    }
  }

  /** The bytes a pipeline message carries: a buffer's or a holder's readable bytes, else 0. */
  public static long size(Object msg) {
    if (msg instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
  }

  /** Samples the rates; called once a second by the owner's timer. */
  public void tick() {
    inRate.sample(bytesIn.sum());
    outRate.sample(bytesOut.sum());
    openRate.sample(opened.sum());
  }

  public Histogram durations() {
    return durations;
  }

  /** Dial times, or null when not kept. */
  public Histogram dials() {
    return dials;
  }

  /** The counters now. */
  public Stats stats() {
    Map<String, Long> failures = new TreeMap<>();
    failed.forEach((reason, n) -> failures.put(reason, n.sum()));
    long open = opened.sum();
    return new Stats(
        Math.max(0, open - closed.sum()),
        open,
        failures,
        bytesIn.sum(),
        bytesOut.sum(),
        Stats.Rates.of(inRate),
        Stats.Rates.of(outRate),
        Stats.Rates.of(openRate),
        durations.count(),
        durations.sumSeconds());
  }
}
