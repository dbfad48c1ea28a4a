package dev.tlstunnel.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Traffic} counted, at one moment; {@link #plus} adds two (a client's proxies make
 * its session's totals).
 *
 * @param connectionsActive open now
 * @param connectionsTotal opened since start
 * @param connectionsFailed failed before relaying, by reason
 * @param bytesIn from the connecting parties
 * @param bytesOut to the connecting parties
 * @param rateIn bytes per second in, over 1, 10 and 60 s
 * @param rateOut bytes per second out
 * @param connectionRate connections opened per second
 * @param durationCount connections that closed
 * @param durationSumSeconds how long those were open, in all
 */
public record Stats(
    long connectionsActive,
    long connectionsTotal,
    Map<String, Long> connectionsFailed,
    long bytesIn,
    long bytesOut,
    Rates rateIn,
    Rates rateOut,
    Rates connectionRate,
    long durationCount,
    double durationSumSeconds) {

  /** Nothing counted. */
  public static final Stats ZERO =
      new Stats(0, 0, Map.of(), 0, 0, Rates.ZERO, Rates.ZERO, Rates.ZERO, 0, 0);

  public Stats {
    connectionsFailed = Map.copyOf(connectionsFailed);
  }

  /** Failed connections, all reasons together. */
  public long failedTotal() {
    return connectionsFailed.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The sum of this and {@code o}. */
  public Stats plus(Stats o) {
    Map<String, Long> failures = new TreeMap<>(connectionsFailed);
    o.connectionsFailed.forEach((k, v) -> failures.merge(k, v, Long::sum));
    return new Stats(
        connectionsActive + o.connectionsActive,
        connectionsTotal + o.connectionsTotal,
        failures,
        bytesIn + o.bytesIn,
        bytesOut + o.bytesOut,
        rateIn.plus(o.rateIn),
        rateOut.plus(o.rateOut),
        connectionRate.plus(o.connectionRate),
        durationCount + o.durationCount,
        durationSumSeconds + o.durationSumSeconds);
  }

  /** Writes the fields documented in docs/API.md ("stats") into {@code n}. */
  public void writeTo(ObjectNode n) {
    n.put("connections_active", connectionsActive);
    n.put("connections_total", connectionsTotal);
    n.put("connections_failed_total", failedTotal());
    ObjectNode failures = n.putObject("connections_failed");
    new TreeMap<>(connectionsFailed).forEach(failures::put);
    n.put("bytes_in", bytesIn);
    n.put("bytes_out", bytesOut);
    rateIn.writeTo(n.putObject("rate_in"));
    rateOut.writeTo(n.putObject("rate_out"));
    connectionRate.writeTo(n.putObject("connection_rate"));
    n.put("connections_closed", durationCount);
    n.put("connection_seconds_sum", durationSumSeconds);
  }

  /** The event stream's short form: counts, bytes and the rates over the last second. */
  public void writeBriefTo(ObjectNode n) {
    n.put("connections_active", connectionsActive);
    n.put("connections_total", connectionsTotal);
    n.put("bytes_in", bytesIn);
    n.put("bytes_out", bytesOut);
    n.put("rate_in", rateIn.last1s());
    n.put("rate_out", rateOut.last1s());
  }

  /** Per-second rates over the last 1, 10 and 60 seconds. */
  public record Rates(double last1s, double last10s, double last60s) {
    public static final Rates ZERO = new Rates(0, 0, 0);

    static Rates of(RateWindow w) {
      return new Rates(w.perSecond(1), w.perSecond(10), w.perSecond(60));
    }

    Rates plus(Rates o) {
      return new Rates(last1s + o.last1s, last10s + o.last10s, last60s + o.last60s);
    }

    void writeTo(ObjectNode n) {
      n.put("1s", last1s);
      n.put("10s", last10s);
      n.put("60s", last60s);
    }
  }
}
