package dev.tlstunnel.bench;

import dev.tlstunnel.client.BenchMeters;
import dev.tlstunnel.metrics.Traffic;
import dev.tlstunnel.relay.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * The CPU time the byte counters add to each relayed buffer: {@link Relay#link} between two
 * embedded channels, 16 KiB per buffer, without and with the tunnel's per-connection meter on both
 * channels, in alternating rounds. It reports the thread's CPU time per buffer (not wall time), so
 * other work on a shared machine slows it less than a throughput figure. Run with {@code java -cp
 * tunnel-bench/target/benchmarks.jar dev.tlstunnel.bench.MeterCost [rounds] [buffers]}.
 */
public final class MeterCost {
  private MeterCost() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int buffers = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    ByteBuf buf = Unpooled.directBuffer(16384).writeZero(16384);
    run(false, buffers, buf, cpu);
    run(true, buffers, buf, cpu);
    double[] plain = new double[rounds];
    double[] metered = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      plain[r] = run(false, buffers, buf, cpu);
      metered[r] = run(true, buffers, buf, cpu);
    }
    double p = median(plain);
    double m = median(metered);
    System.out.printf(
        Locale.ROOT,
        "CPU ns per 16 KiB buffer relayed, median of %d rounds of %d: plain %.1f, metered %.1f,"
            + " counters %.1f ns (%.1f%% of this bare relay hop)%n",
        rounds,
        buffers,
        p,
        m,
        m - p,
        100 * (m - p) / p);
    buf.release();
  }

  private static double run(boolean metered, int buffers, ByteBuf buf, ThreadMXBean cpu) {
    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    a.config().setAutoRead(false);
    b.config().setAutoRead(false);
    if (metered) {
      Traffic traffic = new Traffic(true);
      a.pipeline().addLast(BenchMeters.meter(traffic, System.nanoTime()));
      b.pipeline().addLast(BenchMeters.meter(traffic, System.nanoTime()));
    }
    Relay.link(a, b);
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < buffers; i++) {
      a.writeInbound(buf.retainedDuplicate());
      ByteBuf out = b.readOutbound();
      out.release();
    }
    long used = cpu.getCurrentThreadCpuTime() - start;
    a.finishAndReleaseAll();
    b.finishAndReleaseAll();
    return (double) used / buffers;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
