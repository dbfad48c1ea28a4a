package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import dev.tlstunnel.testing.LogCapture;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bind retry state machine on a frozen event-loop clock: no test waits for real time. */
@Timeout(10)
class ProxyListenerTest {
  private EmbeddedChannel loopOwner;
  private final List<ProxyStatusUpdate> updates = new ArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private LogCapture logs;

  @BeforeEach
  void setUp() {
    loopOwner = new EmbeddedChannel();
    loopOwner.freezeTime();
    logs = new LogCapture("dev.tlstunnel.server.ProxyListener");
  }

  @AfterEach
  void tearDown() {
    logs.close();
    loopOwner.finishAndReleaseAll();
  }

  private ProxyListener listener(BindRetryPolicy policy, int failures) {
    ProxyListener.Binder binder =
        address -> {
          int n = attempts.incrementAndGet();
          if (n <= failures) {
            return loopOwner.newFailedFuture(new BindException("Address already in use"));
          }
          EmbeddedChannel bound = new EmbeddedChannel();
          ChannelFuture ok = bound.newSucceededFuture();
          return ok;
        };
    return new ProxyListener(
        "proxy2",
        "0.0.0.0",
        8002,
        policy,
        loopOwner.eventLoop(),
        binder,
        new BindReports(
            "c1",
            message -> updates.add((ProxyStatusUpdate) message),
            new ServerEvents(List.of(), Clock.systemUTC()),
            null));
  }

  private ProxyStatusUpdate last() {
    return updates.get(updates.size() - 1);
  }

  @Test
  void defaultScheduleWaitsTwoFourEightUpToSixtySecondsThenGivesUp() {
    ProxyListener l = listener(BindRetryPolicy.DEFAULT, Integer.MAX_VALUE);
    l.start();
    loopOwner.runPendingTasks();
    List<Double> waits = new ArrayList<>();
    while (last().status() == ProxyStatus.UNHEALTHY) {
      double wait = last().retryAfterSeconds();
      waits.add(wait);
      int before = attempts.get();
      loopOwner.advanceTimeBy((long) (wait * 1000) - 1, TimeUnit.MILLISECONDS);
      loopOwner.runScheduledPendingTasks();
      assertThat(attempts.get()).as("no attempt before the wait is over").isEqualTo(before);
      loopOwner.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      loopOwner.runScheduledPendingTasks();
      assertThat(attempts.get()).isEqualTo(before + 1);
    }
    assertThat(waits).containsExactly(2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0, 60.0, 60.0);
    assertThat(last().status()).isEqualTo(ProxyStatus.BIND_FAILED);
    assertThat(last().attempt()).isEqualTo(11);
    assertThat(last().maxRetries()).isEqualTo(10);
    assertThat(last().errorMessage()).isEqualTo("Port 8002 is already in use by another process");
    assertThat(l.retryPending()).isFalse();
    assertThat(logs.messages())
        .startsWith(
            "Proxy 'proxy2' bind failed (attempt 1/10): Port 8002 is already in use by another"
                + " process. Retrying in 2 seconds...")
        .contains(
            "Proxy 'proxy2' bind failed (attempt 10/10): Port 8002 is already in use by another"
                + " process. Retrying in 60 seconds...")
        .endsWith(
            "Proxy 'proxy2' bind failed after 10 retries: Port 8002 is already in use by another"
                + " process");
  }

  @Test
  void bindsAfterRetriesAndSaysHowMany() {
    ProxyListener l = listener(BindRetryPolicy.DEFAULT, 2);
    l.start();
    loopOwner.runPendingTasks();
    loopOwner.advanceTimeBy(2, TimeUnit.SECONDS);
    loopOwner.runScheduledPendingTasks();
    loopOwner.advanceTimeBy(4, TimeUnit.SECONDS);
    loopOwner.runScheduledPendingTasks();
    assertThat(updates)
        .extracting(ProxyStatusUpdate::status)
        .containsExactly(ProxyStatus.UNHEALTHY, ProxyStatus.UNHEALTHY, ProxyStatus.HEALTHY);
    assertThat(last().attempt()).isEqualTo(3);
    assertThat(last().errorMessage()).isNull();
    assertThat(l.status()).isEqualTo(dev.tlstunnel.ProxyStatus.HEALTHY);
    assertThat(logs.messages())
        .last()
        .isEqualTo("Proxy 'proxy2' listening on 0.0.0.0:8002 (after 2 retries)");
  }

  /** One retry allowed: the numbering of DESIGN.md §4, with "retry" in the singular. */
  @Test
  void oneRetryIsNumberedAsTheSeedLinesAndSaysRetry() {
    BindRetryPolicy once = new BindRetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(60));
    listener(once, Integer.MAX_VALUE).start();
    loopOwner.runPendingTasks();
    loopOwner.advanceTimeBy(2, TimeUnit.SECONDS);
    loopOwner.runScheduledPendingTasks();
    assertThat(logs.messages())
        .containsExactly(
            "Proxy 'proxy2' bind failed (attempt 1/1): Port 8002 is already in use by another"
                + " process. Retrying in 2 seconds...",
            "Proxy 'proxy2' bind failed after 1 retry: Port 8002 is already in use by another"
                + " process");
    attempts.set(0);
    logs.clear();
    listener(once, 1).start();
    loopOwner.runPendingTasks();
    loopOwner.advanceTimeBy(2, TimeUnit.SECONDS);
    loopOwner.runScheduledPendingTasks();
    assertThat(logs.messages())
        .last()
        .isEqualTo("Proxy 'proxy2' listening on 0.0.0.0:8002 (after 1 retry)");
  }

  @Test
  void firstAttemptSuccessLogsPlainListeningLine() {
    listener(BindRetryPolicy.DEFAULT, 0).start();
    loopOwner.runPendingTasks();
    assertThat(last().status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(logs.messages()).containsExactly("Proxy 'proxy2' listening on 0.0.0.0:8002");
  }

  @Test
  void closeDuringRetryCancelsTheTimer() {
    ProxyListener l = listener(BindRetryPolicy.DEFAULT, Integer.MAX_VALUE);
    l.start();
    loopOwner.runPendingTasks();
    assertThat(l.retryPending()).isTrue();
    l.close();
    assertThat(l.retryPending()).isFalse();
    loopOwner.advanceTimeBy(10, TimeUnit.MINUTES);
    loopOwner.runScheduledPendingTasks();
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(updates).hasSize(1);
  }

  @Test
  void unlimitedRetriesKeepGoingAndShowNoMaximum() {
    BindRetryPolicy forever =
        new BindRetryPolicy(-1, Duration.ofMillis(250), Duration.ofSeconds(1));
    ProxyListener l = listener(forever, Integer.MAX_VALUE);
    l.start();
    loopOwner.runPendingTasks();
    for (int i = 0; i < 50; i++) {
      loopOwner.advanceTimeBy(1, TimeUnit.SECONDS);
      loopOwner.runScheduledPendingTasks();
    }
    assertThat(attempts.get()).isGreaterThan(40);
    assertThat(last().status()).isEqualTo(ProxyStatus.UNHEALTHY);
    assertThat(last().maxRetries()).isEqualTo(-1);
    assertThat(logs.messages().get(0))
        .isEqualTo(
            "Proxy 'proxy2' bind failed (attempt 1): Port 8002 is already in use by another"
                + " process. Retrying in 0.25 seconds...");
    l.close();
  }
}
