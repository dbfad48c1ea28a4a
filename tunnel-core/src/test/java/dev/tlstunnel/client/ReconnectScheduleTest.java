package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ReconnectPolicy;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectScheduleTest {

  @Test
  void withoutJitterDoublesFromOneSecondToThirty() {
    ReconnectSchedule schedule = new ReconnectSchedule(ReconnectPolicy.DEFAULT, () -> 0.5);
    long[] seconds = new long[8];
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = schedule.delayBefore(i + 1).toSeconds();
    }
    assertThat(seconds).containsExactly(1, 2, 4, 8, 16, 30, 30, 30);
  }

  @Test
  void jitterStaysWithinTwentyPercentAndVaries() {
    ReconnectSchedule schedule =
        new ReconnectSchedule(ReconnectPolicy.DEFAULT, new Random(7)::nextDouble);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 200; i++) {
      long ms = schedule.delayBefore(10).toMillis();
      assertThat(ms).isBetween(24_000L, 36_000L);
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(max - min).isGreaterThan(6_000);
  }

  @Test
  void extremesOfTheRandomSource() {
    ReconnectPolicy policy =
        new ReconnectPolicy(true, Duration.ofMillis(100), Duration.ofMillis(400), false);
    assertThat(new ReconnectSchedule(policy, () -> 0.0).delayBefore(1))
        .isEqualTo(Duration.ofMillis(80));
    assertThat(new ReconnectSchedule(policy, () -> 0.999999).delayBefore(3).toMillis())
        .isBetween(479L, 480L);
  }
}
