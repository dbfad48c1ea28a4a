package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class StopSignalTest {
  @Test
  void aHangupBeforeTheCommandSetItsActionRunsTheActionOnceItIsSet() throws Exception {
    StopSignal signal = StopSignal.manual();
    Semaphore runs = new Semaphore(0);
    signal.hangup(); // while the command starts: nothing to run yet
    signal.hangup();

    signal.onHangup(runs::release);

    assertThat(runs.tryAcquire(5, TimeUnit.SECONDS)).as("the early hangup's reload").isTrue();
    assertThat(runs.tryAcquire(300, TimeUnit.MILLISECONDS)).as("a second reload").isFalse();
    signal.hangup();
    assertThat(runs.tryAcquire(5, TimeUnit.SECONDS)).as("a later hangup's reload").isTrue();
  }

  @Test
  void aHangupRunsTheActionOnAThreadOfItsOwn() throws Exception {
    StopSignal signal = StopSignal.manual();
    AtomicReference<String> thread = new AtomicReference<>();
    Semaphore runs = new Semaphore(0);
    signal.onHangup(
        () -> {
          thread.set(Thread.currentThread().getName());
          runs.release();
        });

    signal.hangup();

    assertThat(runs.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
    assertThat(thread.get()).isEqualTo("tls-tunnel-reload-signal");
  }

  @Test
  void aHangupAfterTheActionWasClearedRunsNothingLater() throws Exception {
    StopSignal signal = StopSignal.manual();
    Semaphore runs = new Semaphore(0);
    signal.onHangup(runs::release);
    signal.onHangup(null);

    signal.hangup();

    assertThat(runs.tryAcquire(300, TimeUnit.MILLISECONDS)).isFalse();
  }
}
