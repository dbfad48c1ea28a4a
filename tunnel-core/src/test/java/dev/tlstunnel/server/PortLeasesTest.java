package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Port leases: held while registered, running out a ttl after, kept across a restart. */
@Timeout(10)
class PortLeasesTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  private static final class Manual extends Clock {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aReleasedLeaseRunsOutAfterTheTtlAndAHeldOneNever() {
    Manual clock = new Manual();
    PortLeases leases = new PortLeases(dir, Duration.ofHours(1), clock);
    leases.hold("c/a", 20001);
    leases.hold("c/b", 20002);
    leases.release("c/a");
    clock.now = clock.now.plus(Duration.ofMinutes(59));
    assertThat(leases.get("c/a").port()).isEqualTo(20001);
    assertThat(leases.leasedToOther(20001, "d/x")).isTrue();
    assertThat(leases.leasedToOther(20001, "c/a")).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(2));
    assertThat(leases.get("c/a")).isNull();
    assertThat(leases.leasedToOther(20001, "d/x")).isFalse();
    clock.now = clock.now.plus(Duration.ofDays(30));
    assertThat(leases.get("c/b").port()).isEqualTo(20002);
  }

  @Test
  void leasesSurviveARestartAndThoseHeldThenRunOutFromIt() throws Exception {
    Manual clock = new Manual();
    PortLeases before = new PortLeases(dir, Duration.ofHours(1), clock);
    before.hold("c/a", 20001);
    assertThat(Files.readString(dir.resolve(PortLeases.FILE))).contains("\"c/a\"", "20001");

    clock.now = clock.now.plus(Duration.ofHours(5));
    PortLeases after = new PortLeases(dir, Duration.ofHours(1), clock);
    assertThat(after.get("c/a").port()).isEqualTo(20001);
    clock.now = clock.now.plus(Duration.ofMinutes(61));
    assertThat(after.get("c/a")).isNull();
  }

  @Test
  void anUnreadableFileIsIgnored() throws Exception {
    Files.writeString(dir.resolve(PortLeases.FILE), "{not json");
    PortLeases leases = new PortLeases(dir, Duration.ofHours(1), new Manual());
    assertThat(leases.get("c/a")).isNull();
    leases.hold("c/a", 20001);
    assertThat(new PortLeases(dir, Duration.ofHours(1), new Manual()).get("c/a").port())
        .isEqualTo(20001);
  }
}
