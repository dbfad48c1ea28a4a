package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Admission before TLS: rate per address, unauthenticated caps, the failed-auth penalty. */
@Timeout(10)
class AdmissionControlTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final RateLimitedLog logs =
      new RateLimitedLog(TimeUnit.SECONDS.toNanos(10), 100, now::get);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** An embedded channel whose peer is {@code ip}:{@code port}. */
  private EmbeddedChannel from(String ip, int port) {
    EmbeddedChannel ch =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(ip, port);
          }
        };
    channels.add(ch);
    return ch;
  }

  private AdmissionControl control(Limits limits) {
    return new AdmissionControl(limits, logs, now::get);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void sourceOverItsRateIsRefusedWhileAnotherSourceIsAdmitted() {
    AdmissionControl admission =
        control(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(2)
                    .connectionBurst(3)
                    .maxUnauthenticated(1024)
                    .maxUnauthenticatedPerIp(64)));
    for (int i = 0; i < 3; i++) {
      assertThat(admission.admit(from("127.0.0.2", 1000 + i))).isTrue();
    }
    EmbeddedChannel refused = from("127.0.0.2", 2000);
    assertThat(admission.admit(refused)).isFalse();
    assertThat(refused.isOpen()).isFalse();
    assertThat(admission.admit(from("127.0.0.1", 1000))).isTrue();
    assertThat(admission.rejected()).isEqualTo(1);

    advance(Duration.ofMillis(500)); // one token back at 2/s
    assertThat(admission.admit(from("127.0.0.2", 3000))).isTrue();
    assertThat(admission.admit(from("127.0.0.2", 3001))).isFalse();
  }

  @Test
  void unauthenticatedCapsHoldPerSourceAndOverall() {
    AdmissionControl admission =
        control(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(1000)
                    .connectionBurst(1000)
                    .maxUnauthenticated(5)
                    .maxUnauthenticatedPerIp(3)));
    List<Channel> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel ch = from("127.0.0.2", 1000 + i);
      assertThat(admission.admit(ch)).isTrue();
      held.add(ch);
    }
    assertThat(admission.admit(from("127.0.0.2", 2000))).as("per-source cap 3").isFalse();
    assertThat(admission.admit(from("127.0.0.3", 1000))).isTrue();
    assertThat(admission.admit(from("127.0.0.4", 1000))).isTrue();
    assertThat(admission.unauthenticated()).isEqualTo(5);
    assertThat(admission.admit(from("127.0.0.5", 1000))).as("overall cap 5").isFalse();

    held.get(0).close();
    admission.authenticated(held.get(1));
    admission.authenticated(held.get(1)); // counted once
    held.get(1).close();
    assertThat(admission.unauthenticated()).isEqualTo(3);
    assertThat(admission.admit(from("127.0.0.2", 3000))).isTrue();
  }

  @Test
  void failedAuthenticationsRefuseTheSourceForADoublingPenaltyResetBySuccess() {
    AdmissionControl admission =
        control(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(1000)
                    .connectionBurst(1000)
                    .authPenaltyMax(Duration.ofSeconds(4))));
    EmbeddedChannel first = from("127.0.0.5", 1000);
    assertThat(admission.admit(first)).isTrue();
    assertThat(admission.authFailed(first)).isEqualTo(1_000);
    assertThat(admission.admit(from("127.0.0.5", 1001))).isFalse();
    assertThat(admission.admit(from("127.0.0.1", 1001))).as("other sources unaffected").isTrue();
    advance(Duration.ofMillis(1_001));

    EmbeddedChannel second = from("127.0.0.5", 1002);
    assertThat(admission.admit(second)).isTrue();
    assertThat(admission.authFailed(second)).isEqualTo(2_000);
    EmbeddedChannel third = from("127.0.0.5", 1003);
    advance(Duration.ofMillis(2_001));
    assertThat(admission.admit(third)).isTrue();
    assertThat(admission.authFailed(third)).isEqualTo(4_000);
    assertThat(admission.authFailed(third)).as("capped at auth_penalty_max").isEqualTo(4_000);
    advance(Duration.ofMillis(3_999));
    assertThat(admission.admit(from("127.0.0.5", 1004))).isFalse();
    advance(Duration.ofMillis(2));

    EmbeddedChannel good = from("127.0.0.5", 1005);
    assertThat(admission.admit(good)).isTrue();
    admission.authenticated(good);
    EmbeddedChannel again = from("127.0.0.5", 1006);
    assertThat(admission.admit(again)).isTrue();
    assertThat(admission.authFailed(again)).as("reset by the success").isEqualTo(1_000);
  }

  /** A source admitted and failing authentication once: refused for 1 s from now. */
  private void penalise(AdmissionControl admission, String ip) {
    EmbeddedChannel ch = from(ip, 1000);
    assertThat(admission.admit(ch)).isTrue();
    admission.authFailed(ch);
    ch.close();
  }

  /** A source admitted and gone again, leaving only its rate state. */
  private void visit(AdmissionControl admission, String ip) {
    EmbeddedChannel ch = from(ip, 1000);
    assertThat(admission.admit(ch)).isTrue();
    ch.close();
  }

  @Test
  void aPenalisedSourceIsNotForgottenWhileOtherSourcesCycleThroughTheTable() {
    AdmissionControl admission =
        new AdmissionControl(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(100)
                    .connectionBurst(100)
                    .maxUnauthenticated(1024)
                    .maxUnauthenticatedPerIp(64)),
            logs,
            now::get,
            8);
    penalise(admission, "127.0.0.5");
    EmbeddedChannel pending = from("127.0.0.6", 1000);
    assertThat(admission.admit(pending)).isTrue();
    for (int i = 0; i < 1000; i++) {
      visit(admission, "10.0." + (i / 250) + "." + (i % 250));
    }
    assertThat(admission.sources()).isEqualTo(8);
    assertThat(admission.guardedSources()).isEqualTo(2);
    assertThat(admission.admit(from("127.0.0.5", 1001))).as("penalty survived").isFalse();
    assertThat(admission.unauthenticated()).isEqualTo(1);

    advance(Duration.ofMillis(1_001));
    EmbeddedChannel again = from("127.0.0.5", 1002);
    assertThat(admission.admit(again)).isTrue();
    assertThat(admission.authFailed(again)).as("the doubling survived too").isEqualTo(2_000);
    again.close();
    pending.close();
    assertThat(admission.unauthenticated()).isZero();
  }

  @Test
  void whenEverySourceIsGuardedTheLeastRecentlySeenIsForgottenAndMemoryStaysBounded() {
    AdmissionControl admission =
        new AdmissionControl(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(100)
                    .connectionBurst(100)
                    .maxUnauthenticated(1024)
                    .maxUnauthenticatedPerIp(64)),
            logs,
            now::get,
            4);
    for (int i = 1; i <= 4; i++) {
      penalise(admission, "10.0.0." + i);
    }
    assertThat(admission.guardedSources()).isEqualTo(4);
    // Guarded by its connection not yet authenticated; the table is full, so 10.0.0.1 goes.
    assertThat(admission.admit(from("10.0.0.9", 1000))).isTrue();
    assertThat(admission.admit(from("10.0.0.2", 1001))).as("seen again: now recent").isFalse();
    assertThat(admission.admit(from("10.0.0.1", 1001))).as("forgotten, penalty lost").isTrue();
    assertThat(admission.admit(from("10.0.0.2", 1002))).as("still remembered").isFalse();
    assertThat(admission.admit(from("10.0.0.3", 1001))).as("least recently seen").isTrue();
    assertThat(admission.sources()).isEqualTo(4);
    assertThat(admission.guardedSources()).isEqualTo(4);
  }

  @Test
  void refusalsAreLoggedOncePerSourceAndIntervalWithTheSuppressedCount() {
    AdmissionControl admission =
        control(
            TunnelFixture.built(
                Limits.builder()
                    .connectionRate(1)
                    .connectionBurst(1)
                    .maxUnauthenticated(1024)
                    .maxUnauthenticatedPerIp(64)));
    try (LogCapture capture = new LogCapture(AdmissionControl.class)) {
      assertThat(admission.admit(from("127.0.0.2", 1000))).isTrue();
      for (int i = 0; i < 50; i++) {
        assertThat(admission.admit(from("127.0.0.2", 2000 + i))).isFalse();
      }
      assertThat(capture.messages())
          .containsExactly(
              "Refusing tunnel connection from /127.0.0.2:2000: limit connection_rate=1/s"
                  + " (connection_burst=1) exceeded");
      assertThat(logs.suppressed()).isEqualTo(49);

      advance(Duration.ofSeconds(10));
      assertThat(admission.admit(from("127.0.0.2", 3000))).isTrue();
      assertThat(admission.admit(from("127.0.0.2", 3001))).isFalse();
      assertThat(capture.messages())
          .last()
          .isEqualTo(
              "Refusing tunnel connection from /127.0.0.2:3001: limit connection_rate=1/s"
                  + " (connection_burst=1) exceeded (49 similar lines suppressed)");
    }
  }
}
