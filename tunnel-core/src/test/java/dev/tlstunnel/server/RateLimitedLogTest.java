package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LogCapture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per key and interval; the next one counts what was left out; keys are bounded. */
@Timeout(10)
class RateLimitedLogTest {
  private static final Logger log = LoggerFactory.getLogger(RateLimitedLogTest.class);

  @Test
  void floodOfOneKeyBecomesOneLinePerIntervalWithACount() {
    AtomicLong now = new AtomicLong();
    RateLimitedLog logs = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10), 2, now::get);
    try (LogCapture capture = new LogCapture(RateLimitedLogTest.class)) {
      for (int i = 0; i < 1000; i++) {
        logs.warn(log, "1.2.3.4", "bad thing from {}", "1.2.3.4");
      }
      logs.warn(log, "5.6.7.8", "bad thing from {}", "5.6.7.8");
      now.addAndGet(TimeUnit.SECONDS.toNanos(10));
      logs.warn(log, "1.2.3.4", "bad thing from {}", "1.2.3.4");
      assertThat(capture.messages())
          .containsExactly(
              "bad thing from 1.2.3.4",
              "bad thing from 5.6.7.8",
              "bad thing from 1.2.3.4 (999 similar lines suppressed)");
      assertThat(logs.suppressed()).isEqualTo(999);
    }
  }
}
