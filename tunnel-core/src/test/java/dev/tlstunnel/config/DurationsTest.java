package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "250ms, 250",
    "2s, 2000",
    "1.5s, 1500",
    "1m, 60000",
    "1m30s, 90000",
    "1h, 3600000",
    "' 10s ', 10000",
    "0s, 0",
    "0.25m, 15000",
  })
  void parsesDurations(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void parsesSubMillisecondUnits() {
    assertThat(Durations.parse("1500us")).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(Durations.parse("7ns")).isEqualTo(Duration.ofNanos(7));
  }

  @Test
  void rejectsUnknownUnitNamingIt() {
    assertThatThrownBy(() -> Durations.parse("10x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown unit 'x' in '10x' (use ms, s, m or h)");
    assertThatThrownBy(() -> Durations.parse("5sec"))
        .hasMessage("unknown unit 'sec' in '5sec' (use ms, s, m or h)");
  }

  @Test
  void rejectsMissingUnit() {
    assertThatThrownBy(() -> Durations.parse("10"))
        .hasMessage("missing unit in '10' (use ms, s, m or h, e.g. \"10s\")");
  }

  @ParameterizedTest
  @CsvSource({"-1s", "s", "1s 2s", "1..5s", "abc", "1s-"})
  void rejectsMalformed(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text);
  }

  @Test
  void rejectsEmptyAndOverflow() {
    assertThatThrownBy(() -> Durations.parse(" ")).hasMessageStartingWith("empty duration");
    assertThatThrownBy(() -> Durations.parse(null)).hasMessageStartingWith("empty duration");
    assertThatThrownBy(() -> Durations.parse("9999999999999h")).hasMessageContaining("too long");
  }

  @ParameterizedTest
  @CsvSource({"2000, 2s", "250, 250ms", "90000, 1m30s", "3600000, 1h", "0, 0s", "1500, 1s500ms"})
  void formatsLargestUnitsFirst(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @Test
  void formatRoundTripsThroughParse() {
    for (Duration d :
        new Duration[] {
          Duration.ofNanos(1_234_567_891L),
          Duration.ofHours(25).plusSeconds(61),
          Duration.ofNanos(1)
        }) {
      assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
    assertThat(Durations.format(Duration.ofSeconds(-2))).isEqualTo("-2s");
  }
}
