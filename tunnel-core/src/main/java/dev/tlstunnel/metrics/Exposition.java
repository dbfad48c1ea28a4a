package dev.tlstunnel.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds one {@code /metrics} answer with the official Prometheus client's data model and writes it
 * in the text exposition format. Names are given without {@code _total} (the writer adds it to
 * counters) and end in their base unit ({@code _bytes}, {@code _seconds}) where they have one.
 * Everything is read from tls-tunnel's own counters at scrape time: nothing here runs on the relay.
 */
public final class Exposition {
  /** The content type of the answer. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private final List<MetricSnapshot> metrics = new ArrayList<>();

  /** Label names and values, alternating: {@code "proxy", "web", "client", "office"}. */
  public interface Points {
    void add(double value, String... labels);
  }

  /** Histogram data points. */
  public interface HistogramPoints {
    void add(Histogram histogram, String... labels);
  }

  public Exposition counter(String name, Unit unit, String help, Consumer<Points> points) {
    CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
    if (unit != null) {
      b.unit(unit);
    }
    points.accept(
        (value, labels) ->
            b.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder()
                    .value(value)
                    .labels(Labels.of(labels))
                    .build()));
    metrics.add(b.build());
    return this;
  }

  public Exposition gauge(String name, Unit unit, String help, Consumer<Points> points) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    if (unit != null) {
      b.unit(unit);
    }
    points.accept(
        (value, labels) ->
            b.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(value)
                    .labels(Labels.of(labels))
                    .build()));
    metrics.add(b.build());
    return this;
  }

  /** A histogram in seconds ({@code name} ends in {@code _seconds}). */
  public Exposition histogram(String name, String help, Consumer<HistogramPoints> points) {
    HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help);
    b.unit(Unit.SECONDS);
    points.accept(
        (h, labels) -> {
          double[] bounds = h.bounds();
          double[] withInf = java.util.Arrays.copyOf(bounds, bounds.length + 1);
          withInf[bounds.length] = Double.POSITIVE_INFINITY;
          b.dataPoint(
              HistogramSnapshot.HistogramDataPointSnapshot.builder()
                  .classicHistogramBuckets(
                      ClassicHistogramBuckets.of(withInf, nonCumulative(h.cumulativeCounts())))
                  .sum(h.sumSeconds())
                  .labels(Labels.of(labels))
                  .build());
        });
    metrics.add(b.build());
    return this;
  }

  private static long[] nonCumulative(long[] cumulative) {
    long[] out = new long[cumulative.length];
    long previous = 0;
    for (int i = 0; i < cumulative.length; i++) {
      out[i] = cumulative[i] - previous;
      previous = cumulative[i];
    }
    return out;
  }

  /** The text exposition format (version 0.0.4). */
  public String text() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(metrics));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The metrics of one {@link Traffic} under {@code prefix}, with {@code labels} on each. */
  public static void traffic(Exposition e, String prefix, String what, List<Labelled> series) {
    e.gauge(
        prefix + "_connections_active",
        null,
        "Connections of the " + what + " open now.",
        p -> series.forEach(s -> p.add(s.stats().connectionsActive(), s.labels())));
    e.counter(
        prefix + "_connections",
        null,
        "Connections of the " + what + " opened.",
        p -> series.forEach(s -> p.add(s.stats().connectionsTotal(), s.labels())));
    e.counter(
        prefix + "_connections_failed",
        null,
        "Connections of the " + what + " that failed before relaying, by reason.",
        p ->
            series.forEach(
                s ->
                    s.stats()
                        .connectionsFailed()
                        .forEach((reason, n) -> p.add(n, with(s.labels(), "reason", reason)))));
    e.counter(
        prefix + "_received_bytes",
        Unit.BYTES,
        "Bytes received from the connecting parties of the " + what + ".",
        p -> series.forEach(s -> p.add(s.stats().bytesIn(), s.labels())));
    e.counter(
        prefix + "_sent_bytes",
        Unit.BYTES,
        "Bytes sent to the connecting parties of the " + what + ".",
        p -> series.forEach(s -> p.add(s.stats().bytesOut(), s.labels())));
    e.histogram(
        prefix + "_connection_duration_seconds",
        "How long connections of the " + what + " were open.",
        p -> series.forEach(s -> p.add(s.traffic().durations(), s.labels())));
  }

  /** {@code labels} with one more pair. */
  public static String[] with(String[] labels, String name, String value) {
    String[] out = java.util.Arrays.copyOf(labels, labels.length + 2);
    out[labels.length] = name;
    out[labels.length + 1] = value;
    return out;
  }

  /** One series: its traffic, counters read once, and labels. */
  public record Labelled(Traffic traffic, Stats stats, String[] labels) {
    public static Labelled of(Traffic traffic, String... labels) {
      return new Labelled(traffic, traffic.stats(), labels);
    }
  }
}
