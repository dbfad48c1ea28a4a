package dev.tlstunnel.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.Version;
import dev.tlstunnel.metrics.RateWindow;
import dev.tlstunnel.metrics.Stats;
import dev.tlstunnel.metrics.Traffic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The client's {@code /api/status} with its counters (docs/API.md): the {@link ClientStatus} JSON,
 * plus {@code session} (connects, round-trip time, uptime, totals over the proxies), each proxy's
 * {@code stats} and each forwarder's rates; and the event stream's {@code tick}. Forwarders keep
 * their own counters; their rates are sampled here once a second.
 */
final class ClientApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<ClientStatus> status;
  private final ClientMetrics metrics;
  private final ReconnectLoop loop;
  private final Clock clock;
  private final Map<String, RateWindow[]> forwarderRates = new ConcurrentHashMap<>();

  ClientApi(Supplier<ClientStatus> status, ClientMetrics metrics, ReconnectLoop loop, Clock clock) {
    this.status = status;
    this.metrics = metrics;
    this.loop = loop;
    this.clock = clock;
  }

  /** Samples the rates; once a second. */
  void sample() {
    metrics.tick();
    for (ForwarderState f : status.get().forwarders()) {
      RateWindow[] w =
          forwarderRates.computeIfAbsent(
              f.name(), n -> new RateWindow[] {new RateWindow(), new RateWindow()});
      w[0].sample(f.bytesIn());
      w[1].sample(f.bytesOut());
    }
  }

  String status() {
    ClientStatus s = status.get();
    ObjectNode root;
    try {
      root = (ObjectNode) JSON.readTree(s.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status JSON unreadable", e);
    }
    Stats total = Stats.ZERO;
    for (JsonNode p : root.path("proxies")) {
      Stats st = stats(p.path("name").asText());
      total = total.plus(st);
      st.writeTo(((ObjectNode) p).putObject("stats"));
    }
    for (JsonNode f : root.path("forwarders")) {
      RateWindow[] w = forwarderRates.get(f.path("name").asText());
      ObjectNode n = (ObjectNode) f;
      rates(n.putObject("rate_in"), w == null ? null : w[0]);
      rates(n.putObject("rate_out"), w == null ? null : w[1]);
    }
    session(root.putObject("session"), total);
    return root.toString();
  }

  private void session(ObjectNode n, Stats total) {
    Instant now = clock.instant();
    Instant since = metrics.connectedAt();
    long rtt = loop.rttNanos();
    n.put("version", Version.VERSION);
    n.put("started_at", metrics.startedAt().toString());
    n.put("connected_since", since == null ? null : since.toString());
    n.put("uptime_seconds", since == null ? null : millis(Duration.between(since, now)));
    n.put("server_version", metrics.serverVersion());
    n.put("rtt_seconds", rtt == 0 ? null : rtt / 1e9);
    n.put("connects_total", metrics.connects.sum());
    n.put("connect_failures_total", metrics.connectFailures.sum());
    n.put("disconnects_total", metrics.disconnects.sum());
    total.writeTo(n.putObject("stats"));
  }

  /** The event stream's {@code tick}: session state and each proxy's live numbers. */
  String tick() {
    ClientStatus s = status.get();
    ObjectNode n = JSON.createObjectNode();
    n.put("time", clock.instant().toString());
    n.put("session_state", s.sessionState() == null ? null : s.sessionState().wireName());
    ObjectNode proxies = n.putObject("proxies");
    Stats total = Stats.ZERO;
    for (ProxyState p : s.proxies()) {
      Stats st = stats(p.name());
      total = total.plus(st);
      ObjectNode pn = proxies.putObject(p.name());
      ProxyStatus status = p.status();
      pn.put("status", status == null ? null : status.wireName());
      st.writeBriefTo(pn);
    }
    total.writeBriefTo(n.putObject("total"));
    return n.toString();
  }

  Stats stats(String proxy) {
    Traffic t = metrics.allTraffic().peek(proxy);
    return t == null ? Stats.ZERO : t.stats();
  }

  /** A forwarder's byte rates per second, or null before its first sample. */
  RateWindow[] forwarderRates(String name) {
    return forwarderRates.get(name);
  }

  private static void rates(ObjectNode n, RateWindow w) {
    n.put("1s", w == null ? 0 : w.perSecond(1));
    n.put("10s", w == null ? 0 : w.perSecond(10));
    n.put("60s", w == null ? 0 : w.perSecond(60));
  }

  private static double millis(Duration d) {
    return Math.round(d.toNanos() / 1e6) / 1e3;
  }
}
