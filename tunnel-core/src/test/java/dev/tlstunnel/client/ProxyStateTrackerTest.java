package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(10)
class ProxyStateTrackerTest {

  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  private final Logger logger = (Logger) LoggerFactory.getLogger(ProxyStateTracker.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<ProxyState> changes = new ArrayList<>();
  private ProxyStateTracker tracker;

  @BeforeEach
  void setUp() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    tracker = tracker(TunnelClient.Listener.NONE);
  }

  private ProxyStateTracker tracker(TunnelClient.Listener listener) {
    return new ProxyStateTracker(
        List.of(proxy("proxy1", 8001), proxy("proxy2", 8002), proxy("web", 8080)),
        new ClientEvents(List.of(listener), Clock.fixed(T0, ZoneOffset.UTC)),
        changes::add);
  }

  @AfterEach
  void tearDown() {
    logger.detachAppender(appender);
    logger.setLevel(null);
  }

  @Test
  void startsPendingInConfigurationOrder() {
    assertThat(tracker.snapshot())
        .extracting(ProxyState::name, ProxyState::status, ProxyState::local, ProxyState::updatedAt)
        .containsExactly(
            tuple("proxy1", ProxyStatus.PENDING, "127.0.0.1:9001", T0),
            tuple("proxy2", ProxyStatus.PENDING, "127.0.0.1:9002", T0),
            tuple("web", ProxyStatus.PENDING, "127.0.0.1:9080", T0));
    assertThat(anyFailed()).isFalse();
  }

  @Test
  void rejectionIsRecordedAndLogged() {
    tracker.onRegistrationResult(
        new ProxyRegistrationResult("web", false, "port 8080 is reserved", null, null));

    ProxyState web = state("web");
    assertThat(web.status()).isEqualTo(ProxyStatus.REJECTED);
    assertThat(web.error()).isEqualTo("port 8080 is reserved");
    assertThat(anyFailed()).isTrue();
    assertThat(changes).containsExactly(web);
    assertLogs(tuple(Level.WARN, "Proxy 'web' rejected by server: port 8080 is reserved"));
  }

  @Test
  void acceptanceKeepsPendingAndLogsTheNote() {
    tracker.onRegistrationResult(new ProxyRegistrationResult("web", true, null, null, null));
    tracker.onRegistrationResult(
        new ProxyRegistrationResult("proxy1", true, null, "max_retries clamped to 10", null));

    assertThat(state("web").status()).isEqualTo(ProxyStatus.PENDING);
    assertThat(changes).isEmpty();
    assertLogs(
        tuple(Level.INFO, "Proxy 'web' accepted by server"),
        tuple(Level.INFO, "Proxy 'proxy1' accepted by server (max_retries clamped to 10)"));
  }

  @Test
  void unhealthyRecordsTheNextRetry() {
    tracker.onStatusUpdate(unhealthy(1, 10, 2.0));

    ProxyState p = state("proxy2");
    assertThat(p.status()).isEqualTo(ProxyStatus.UNHEALTHY);
    assertThat(p.error()).isEqualTo("Port 8002 is already in use by another process");
    assertThat(p.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.nextRetryAt()).isEqualTo(Instant.parse("2026-01-02T03:04:07Z"));
    assertThat(p.attempt()).isEqualTo(1);
    assertThat(p.maxRetries()).isEqualTo(10);
    assertThat(changes).containsExactly(p);
    assertLogs(
        tuple(
            Level.WARN,
            "Proxy 'proxy2' unhealthy on server: Port 8002 is already in use by another process"
                + " (attempt 1/10, retrying in 2s)"));
  }

  @Test
  void unlimitedRetriesAndFractionalSeconds() {
    tracker.onStatusUpdate(unhealthy(3, -1, 8.0));
    tracker.onStatusUpdate(unhealthy(4, 5, 0.25));

    assertThat(state("proxy2").nextRetryAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05.250Z"));
    assertLogs(
        tuple(
            Level.WARN,
            "Proxy 'proxy2' unhealthy on server: Port 8002 is already in use by another process"
                + " (attempt 3, retrying in 8s)"),
        tuple(
            Level.WARN,
            "Proxy 'proxy2' unhealthy on server: Port 8002 is already in use by another process"
                + " (attempt 4/5, retrying in 0.25s)"));
  }

  @Test
  void healthyClearsTheErrorAndCountsRetries() {
    tracker.onStatusUpdate(healthy("proxy1", 1));
    tracker.onStatusUpdate(unhealthy(1, 10, 2.0));
    tracker.onStatusUpdate(healthy("proxy2", 3));

    ProxyState p = state("proxy2");
    assertThat(p.status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(p.error()).isNull();
    assertThat(p.retryAfter()).isNull();
    assertThat(p.nextRetryAt()).isNull();
    assertThat(changes).hasSize(3);
    assertLogs(
        tuple(Level.INFO, "Proxy 'proxy1' healthy on server: listening on 0.0.0.0:8001"),
        tuple(
            Level.WARN,
            "Proxy 'proxy2' unhealthy on server: Port 8002 is already in use by another process"
                + " (attempt 1/10, retrying in 2s)"),
        tuple(
            Level.INFO,
            "Proxy 'proxy2' healthy on server: listening on 0.0.0.0:8002 (after 2 retries)"));
  }

  @Test
  void bindFailedIsFinal() {
    tracker.onStatusUpdate(
        new ProxyStatusUpdate(
            "proxy2",
            dev.tlstunnel.protocol.ProxyStatus.BIND_FAILED,
            "Port 8002 is already in use by another process",
            null,
            11,
            10,
            "0.0.0.0",
            8002));

    assertThat(state("proxy2").status()).isEqualTo(ProxyStatus.BIND_FAILED);
    assertThat(anyFailed()).isTrue();
    assertLogs(
        tuple(
            Level.ERROR,
            "Proxy 'proxy2' bind failed on server: Port 8002 is already in use by another process"
                + " (gave up after 10 retries)"));
  }

  @Test
  void unknownProxiesAndStatusesAreIgnored() {
    List<ProxyState> before = tracker.snapshot();

    tracker.onStatusUpdate(healthy("ghost", 1));
    tracker.onStatusUpdate(
        new ProxyStatusUpdate("proxy1", null, null, null, 1, 10, "0.0.0.0", 8001));
    tracker.onRegistrationResult(new ProxyRegistrationResult("ghost", false, "no", null, null));

    assertThat(tracker.snapshot()).isEqualTo(before);
    assertThat(changes).isEmpty();
    assertThat(appender.list).extracting(ILoggingEvent::getLevel).containsOnly(Level.DEBUG);
  }

  @Test
  void repeatedUpdateIsLoggedOnce() {
    tracker.onStatusUpdate(unhealthy(1, 10, 2.0));
    tracker.onStatusUpdate(unhealthy(1, 10, 2.0));

    assertThat(changes).hasSize(1);
    assertThat(appender.list).hasSize(1);
  }

  @Test
  void sessionLossResetsEveryProxyToPending() {
    tracker.onStatusUpdate(healthy("proxy1", 1));
    tracker.onStatusUpdate(unhealthy(2, 10, 4.0));
    tracker.onRegistrationResult(new ProxyRegistrationResult("web", false, "taken", null, null));
    changes.clear();

    tracker.onSessionLost();

    assertThat(tracker.snapshot())
        .extracting(ProxyState::status, ProxyState::error, ProxyState::attempt)
        .containsOnly(tuple(ProxyStatus.PENDING, null, null));
    assertThat(anyFailed()).isFalse();
    assertThat(changes).extracting(ProxyState::name).containsExactly("proxy1", "proxy2", "web");
  }

  @Test
  void failingListenerDoesNotStopTracking() {
    tracker =
        tracker(
            new TunnelClient.Listener() {
              @Override
              public void proxyStatusChanged(ClientEvent.ProxyStatusChanged event) {
                throw new IllegalStateException("boom");
              }
            });

    tracker.onStatusUpdate(healthy("proxy1", 1));
    tracker.onStatusUpdate(healthy("proxy2", 1));

    assertThat(state("proxy1").status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(state("proxy2").status()).isEqualTo(ProxyStatus.HEALTHY);
    assertThat(changes).hasSize(2);
  }

  @Test
  void readersSeeCompleteSnapshotsWhileWritersUpdate() throws Exception {
    Thread writer =
        new Thread(
            () -> {
              for (int i = 1; i <= 2_000; i++) {
                tracker.onStatusUpdate(unhealthy(i, -1, 1.0));
                tracker.onSessionLost();
              }
            });
    logger.setLevel(Level.OFF);
    writer.start();
    while (writer.isAlive()) {
      assertThat(tracker.snapshot())
          .extracting(ProxyState::name)
          .containsExactly("proxy1", "proxy2", "web");
    }
    writer.join();
    assertThat(state("proxy2").status()).isEqualTo(ProxyStatus.PENDING);
  }

  private boolean anyFailed() {
    return tracker.snapshot().stream().anyMatch(s -> s.status().isFinalFailure());
  }

  private ProxyState state(String name) {
    return tracker.snapshot().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private void assertLogs(org.assertj.core.groups.Tuple... expected) {
    assertThat(appender.list)
        .extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
        .containsExactly(expected);
  }

  private static ProxyStatusUpdate unhealthy(int attempt, int maxRetries, double retryAfter) {
    return new ProxyStatusUpdate(
        "proxy2",
        dev.tlstunnel.protocol.ProxyStatus.UNHEALTHY,
        "Port 8002 is already in use by another process",
        retryAfter,
        attempt,
        maxRetries,
        "0.0.0.0",
        8002);
  }

  private static ProxyStatusUpdate healthy(String name, int attempt) {
    int port = name.equals("proxy1") ? 8001 : 8002;
    return new ProxyStatusUpdate(
        name, dev.tlstunnel.protocol.ProxyStatus.HEALTHY, null, null, attempt, 10, "0.0.0.0", port);
  }

  private static ProxyConfig proxy(String name, int publishPort) {
    return TunnelFixture.built(
        ProxyConfig.builder(name)
            .publish("0.0.0.0", publishPort)
            .local("127.0.0.1", publishPort + 1000));
  }
}
