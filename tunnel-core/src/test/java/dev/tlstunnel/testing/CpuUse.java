package dev.tlstunnel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time on Linux from {@code /proc}, to tell a slow measurement caused by this JVM's threads
 * from one caused by other processes on a shared machine. All figures are clock ticks; on other
 * systems every figure is 0.
 *
 * @param machineBusy ticks all CPUs spent on anything but idle and I/O wait
 * @param process ticks of this JVM
 * @param threads ticks of this JVM's threads whose name starts with the given prefix
 */
public record CpuUse(long machineBusy, long process, long threads) {
  /** Clock ticks per second ({@code USER_HZ}); 100 on Linux. */
  public static final int TICKS_PER_SECOND = 100;

  /** The counters now; {@code threadPrefix} selects threads, e.g. {@code "tunnel-"}. */
  public static CpuUse now(String threadPrefix) {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < cpu.length && i <= 8; i++) {
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(cpu[i]); // idle, iowait
      }
      return new CpuUse(busy, ticks(Path.of("/proc/self/stat")), threads(threadPrefix));
    } catch (IOException | RuntimeException e) {
      return new CpuUse(0, 0, 0);
    }
  }

  /** The ticks spent since {@code earlier}. */
  public CpuUse minus(CpuUse earlier) {
    return new CpuUse(
        machineBusy - earlier.machineBusy, process - earlier.process, threads - earlier.threads);
  }

  /** Ticks other processes spent. */
  public long others() {
    return Math.max(0, machineBusy - process);
  }

  private static long threads(String prefix) throws IOException {
    long sum = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          if (Files.readString(task.resolve("comm")).startsWith(prefix)) {
            sum += ticks(task.resolve("stat"));
          }
        } catch (IOException e) {
          // the thread ended meanwhile
        }
      }
    }
    return sum;
  }

  /** utime + stime of a {@code stat} file. */
  private static long ticks(Path stat) throws IOException {
    String s = Files.readString(stat);
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
