package dev.tlstunnel.bench;

import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Many clients on one server (bench/manyclients.sh): starts the server through the shipped launcher
 * in its own process, connects {@code --clients} tunnel clients (one JVM, one shared event loop
 * group) with {@code --proxies} proxies each in one storm, checks a checksummed echo through every
 * proxy, reads the server's memory, then kills the server with SIGKILL, starts it again and
 * measures how long until every client is back and serving. Prints the figures and the targets;
 * exits 1 when a client was not serving (every echo verified) before the hard deadline.
 *
 * <pre>java -cp tunnel-bench/target/benchmarks.jar dev.tlstunnel.bench.ManyClients
 *     --launcher ./tls-tunnel --server-config server.toml --tunnel-port P --public-base B
 *     --auth-key-file F --ca CERT --log-dir DIR [--clients 2000] [--proxies 2] [--payload 16384]
 * </pre>
 */
public final class ManyClients {
  private static final long STORM_TARGET_MS = 30_000;
  private static final long BACK_TARGET_MS = 60_000;
  private static final double RSS_TARGET_MIB = 512;
  private static final long HARD_DEADLINE_MS = 180_000;

  private ManyClients() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = options(argv);
    int clients = Integer.parseInt(a.getOrDefault("clients", "2000"));
    int proxies = Integer.parseInt(a.getOrDefault("proxies", "2"));
    int payload = Integer.parseInt(a.getOrDefault("payload", "16384"));
    Path logDir = Path.of(need(a, "log-dir"));
    ServerProcess server =
        new ServerProcess(
            Path.of(need(a, "launcher")),
            Path.of(need(a, "server-config")),
            logDir,
            a.getOrDefault("server-java-opts", ""));
    EventLoopGroup group = Transport.nio().newGroup(2, "fleet");
    ExecutorService checks = Executors.newFixedThreadPool(64);
    boolean ok;
    try (TaggedEcho echo = new TaggedEcho(group, clients * proxies)) {
      line("load average at start: %s", loadAverage());
      long up = server.start(60_000);
      pid(logDir, server);
      Thread.sleep(1000);
      double[] idle = server.memoryMib();
      line("server started through the launcher in %d ms; idle RSS %.0f MiB", up, idle[0]);
      SslContext ssl =
          TlsContexts.forClient(
              Path.of(need(a, "ca")), false, null, TlsProvider.fromSystemProperty());
      ClientFleet.Setup setup =
          new ClientFleet.Setup(
              Integer.parseInt(need(a, "tunnel-port")),
              Files.readString(Path.of(need(a, "auth-key-file"))).strip(),
              Path.of(need(a, "ca")),
              Integer.parseInt(need(a, "public-base")),
              proxies,
              group,
              ssl);
      long storm = System.nanoTime();
      try (ClientFleet fleet = new ClientFleet(setup, clients, echo)) {
        line("%d clients started in %d ms", clients, msSince(storm));
        Rollcall.Result first =
            Rollcall.run(fleet.members(), storm, deadline(storm), true, checks, payload);
        double[] loaded = server.memoryMib();
        ok = report("connect storm", first, fleet, storm, STORM_TARGET_MS, clients, proxies);
        line("load average after the storm: %s", loadAverage());
        double perSession = (loaded[0] - idle[0]) * 1024 / clients;
        line(
            "server memory with %d sessions, %d proxies: RSS %.0f MiB (peak %.0f MiB); "
                + "per session %.0f KiB (RSS delta %.0f MiB / %d sessions)",
            clients,
            clients * proxies,
            loaded[0],
            loaded[1],
            perSession,
            loaded[0] - idle[0],
            clients);
        line("server GC: %s", server.gcPauses());
        target("server RSS ≤ 512 MiB", loaded[0] <= RSS_TARGET_MIB, fmt(loaded[0]) + " MiB");

        int before = fleet.attemptTimes().size();
        int[] dialsBefore = fleet.members().stream().mapToInt(ClientFleet.Member::dials).toArray();
        int failuresBefore = fleet.connectFailures();
        long kill = System.nanoTime();
        server.kill();
        line("server killed with SIGKILL");
        long restart = server.start(60_000);
        long listening = System.nanoTime();
        pid(logDir, server);
        line("server listening again %d ms after the kill", msSince(kill));
        Rollcall.Result back =
            Rollcall.run(fleet.members(), kill, deadline(kill), false, checks, payload);
        ok &=
            report(
                "after kill -9 and restart", back, fleet, kill, BACK_TARGET_MS, clients, proxies);
        line(
            "(server start took %d ms of that; %d failed dials while it was down)",
            restart, fleet.connectFailures() - failuresBefore);
        attempts(fleet, before, dialsBefore, kill, listening);
        double[] again = server.memoryMib();
        line("server RSS after the restart: %.0f MiB (peak %.0f MiB)", again[0], again[1]);
        line("server GC since the restart: %s", server.gcPauses());
        line("load average at the end: %s", loadAverage());
      }
    } finally {
      checks.shutdownNow();
      server.close();
      Transport.shutdown(group, 2);
    }
    System.exit(ok ? 0 : 1);
  }

  /** Prints a phase's figures; returns false when a client did not serve or a check failed. */
  private static boolean report(
      String phase,
      Rollcall.Result r,
      ClientFleet fleet,
      long since,
      long targetMs,
      int clients,
      int proxies) {
    line("");
    line("## %s", phase);
    line(
        "clients healthy (all proxies registered): %d of %d, the last after %s",
        Arrays.stream(r.healthyMs()).filter(v -> v >= 0).count(), clients, ms(r.allHealthyMs()));
    line(
        "clients serving (every proxy's checksummed echo verified): %d of %d, the last after %s",
        r.serving(), clients, ms(r.allServingMs()));
    line(
        "echo checks: %d proxies verified, %d failed checks (retried)%s",
        (long) r.serving() * proxies,
        r.failedChecks(),
        r.failures().isEmpty() ? "" : "; first: " + r.failures().get(0));
    line("time to healthy, ms: %s", percentiles(r.healthyMs()));
    line("time to serving, ms: %s", percentiles(r.servingMs()));
    long all = phase.startsWith("connect") ? r.allHealthyMs() : r.allServingMs();
    boolean met = all >= 0 && all <= targetMs;
    target(
        phase.startsWith("connect")
            ? "all " + clients + " admitted and registered within 30 s"
            : "all " + clients + " back and serving within 60 s",
        met,
        ms(all));
    return r.serving() == clients;
  }

  /** How the clients' dials after the kill spread over time (the jittered backoff). */
  private static void attempts(
      ClientFleet fleet, int skip, int[] dialsBefore, long kill, long listening) {
    List<Long> times = fleet.attemptTimes();
    TreeMap<Long, Integer> perSecond = new TreeMap<>();
    TreeMap<Long, Integer> whileUp = new TreeMap<>();
    for (long t : times.subList(skip, times.size())) {
      long second = TimeUnit.NANOSECONDS.toMillis(t - kill) / 1000;
      perSecond.merge(second, 1, Integer::sum);
      if (t - listening >= 0) {
        whileUp.merge(second, 1, Integer::sum);
      }
    }
    Map<Integer, Integer> dials = new TreeMap<>();
    for (ClientFleet.Member m : fleet.members()) {
      dials.merge(m.dials() - dialsBefore[m.index], 1, Integer::sum);
    }
    StringBuilder s = new StringBuilder();
    perSecond.forEach((sec, n) -> s.append(String.format(" %ds:%d", sec, n)));
    line("dials after the kill, per second since the kill:%s", s);
    line(
        "peak dials in one second: %d; once the server listened again: %d",
        perSecond.values().stream().max(Integer::compare).orElse(0),
        whileUp.values().stream().max(Integer::compare).orElse(0));
    line("dials per client after the kill (dials: clients): %s", dials);
  }

  private static void target(String label, boolean met, String value) {
    line("TARGET %s: %s: %s", label, value, met ? "met" : "NOT met");
  }

  static String percentiles(long[] values) {
    long[] v = Arrays.stream(values).filter(x -> x >= 0).sorted().toArray();
    if (v.length == 0) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    for (int p : new int[] {0, 10, 25, 50, 75, 90, 99, 100}) {
      // nearest rank
      int i = p == 0 ? 0 : Math.max(0, (int) Math.ceil(p / 100.0 * v.length) - 1);
      s.append(p == 0 ? "min " : p == 100 ? ", max " : ", p" + p + " ").append(v[i]);
    }
    return s.toString();
  }

  private static void pid(Path logDir, ServerProcess server) throws java.io.IOException {
    Files.writeString(logDir.resolve("server.pid"), server.pid() + "\n");
  }

  private static long deadline(long since) {
    return since + TimeUnit.MILLISECONDS.toNanos(HARD_DEADLINE_MS);
  }

  private static long msSince(long t) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
  }

  private static String ms(long v) {
    return v < 0
        ? "never (hard deadline " + HARD_DEADLINE_MS / 1000 + " s)"
        : fmt(v / 1000.0) + " s";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String loadAverage() throws java.io.IOException {
    String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return f[0] + " " + f[1] + " " + f[2];
  }

  private static void line(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  private static String need(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing --" + key);
    }
    return v;
  }

  private static Map<String, String> options(String[] argv) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!argv[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + argv[i]);
      }
      a.put(argv[i].substring(2), argv[i + 1]);
    }
    return a;
  }
}
