package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReplayWindowTest {
  private final ReplayWindow window = new ReplayWindow();

  @Test
  void eachNumberIsAcceptedOnce() {
    for (long seq = 1; seq <= 5000; seq++) {
      assertThat(window.accept(seq)).as("first use of %d", seq).isTrue();
      assertThat(window.accept(seq)).as("second use of %d", seq).isFalse();
    }
  }

  @Test
  void lateNumbersWithinTheWindowAreAcceptedOnceOlderOnesNever() {
    assertThat(window.accept(2000)).isTrue();
    assertThat(window.accept(2000 - ReplayWindow.SIZE + 1)).isTrue();
    assertThat(window.accept(2000 - ReplayWindow.SIZE + 1)).isFalse();
    assertThat(window.accept(2000 - ReplayWindow.SIZE)).isFalse();
    assertThat(window.accept(1999)).isTrue();
    assertThat(window.accept(1999)).isFalse();
  }

  @Test
  void aJumpForgetsNothingItShouldRemember() {
    assertThat(window.accept(10)).isTrue();
    assertThat(window.accept(10 + ReplayWindow.SIZE)).isTrue();
    assertThat(window.accept(10 + 2L * ReplayWindow.SIZE)).isTrue();
    assertThat(window.accept(10 + ReplayWindow.SIZE)).isFalse();
    assertThat(window.accept(11 + ReplayWindow.SIZE)).isTrue();
    assertThat(window.accept(100_000)).isTrue();
    assertThat(window.accept(100_000 - 1)).isTrue();
    assertThat(window.accept(100_000 - 1)).isFalse();
  }

  @Test
  void zeroAndNegativeNumbersAreRefused() {
    assertThat(window.accept(0)).isFalse();
    assertThat(window.accept(-1)).isFalse();
    assertThat(window.accept(Long.MIN_VALUE)).isFalse();
  }
}
