package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The reconnect state machine on a frozen event-loop clock, with stand-in attempts: which endings
 * are retried, after which waits, and what the status and the listeners see.
 */
@Timeout(10)
class ReconnectLoopTest {
  private static final Failure UNREACHABLE =
      Failure.of(FailureKind.UNREACHABLE, "cannot reach server h:7000: Connection refused", null);
  private static final Failure LOST =
      Failure.of(FailureKind.CONNECTION_LOST, "connection to server h:7000 lost", null);

  private final List<FakeAttempt> attempts = new ArrayList<>();
  private final EventRecorder events = new EventRecorder();
  private EmbeddedChannel loopOwner;

  @BeforeEach
  void setUp() {
    loopOwner = new EmbeddedChannel();
    loopOwner.freezeTime();
  }

  @AfterEach
  void tearDown() {
    loopOwner.finishAndReleaseAll();
  }

  private ReconnectLoop loop(ReconnectPolicy policy) {
    ClientConfig config =
        TunnelFixture.built(
            ClientConfig.builder()
                .server("h", 7000)
                .authKey(TunnelFixture.KEY)
                .clientId("c1")
                .reconnect(policy));
    ReconnectLoop loop =
        new ReconnectLoop(
            ClientContext.of(
                config, Transport.nio(), YamuxConfig.defaults(), loopOwner.eventLoop()),
            loopOwner.eventLoop(),
            (tracker, listener, setup) -> {
              FakeAttempt attempt = new FakeAttempt(listener);
              attempts.add(attempt);
              return attempt;
            },
            new ReconnectSchedule(config.reconnect(), () -> 0.5),
            new ClientEvents(List.of(events), Clock.systemUTC()));
    loop.start();
    loopOwner.runPendingTasks();
    return loop;
  }

  private void advance(Duration d) {
    loopOwner.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
    loopOwner.runScheduledPendingTasks();
  }

  private FakeAttempt last() {
    return attempts.get(attempts.size() - 1);
  }

  @Test
  void failedAttemptsAreRetriedWithDoublingWaits() {
    ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
    assertThat(attempts).hasSize(1);
    assertThat(loop.view().state()).isEqualTo(SessionState.CONNECTING);
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      last().fail(UNREACHABLE);
      ReconnectLoop.View view = loop.view();
      assertThat(view.state()).isEqualTo(SessionState.DISCONNECTED);
      assertThat(view.lastError()).isEqualTo(UNREACHABLE.message());
      assertThat(view.attempt()).isEqualTo(i + 1);
      Duration wait = events.all(ClientEvent.ConnectFailed.class).get(i).retryIn();
      waits.add(wait);
      int before = attempts.size();
      advance(wait.minusMillis(1));
      assertThat(attempts).as("no attempt before the wait is over").hasSize(before);
      advance(Duration.ofMillis(1));
      assertThat(attempts).hasSize(before + 1);
    }
    assertThat(waits)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(30));
    assertThat(loop.exit()).isNotDone();
  }

  @Test
  void beingConnectedResetsTheBackoffAndALossIsReportedAsDisconnected() {
    ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
    last().fail(UNREACHABLE);
    advance(Duration.ofSeconds(1));
    last().fail(UNREACHABLE);
    advance(Duration.ofSeconds(2));
    last().succeed("1.2.3");
    assertThat(loop.view().state()).isEqualTo(SessionState.CONNECTED);
    assertThat(loop.connected()).isCompleted();
    assertThat(loop.connected().join().serverVersion()).isEqualTo("1.2.3");

    last().fail(LOST);
    ClientEvent.Disconnected lost = events.all(ClientEvent.Disconnected.class).get(0);
    assertThat(lost.failure()).isEqualTo(LOST);
    assertThat(lost.retryIn()).as("backoff starts over").isEqualTo(Duration.ofSeconds(1));
    assertThat(events.all(ClientEvent.Connecting.class))
        .extracting(ClientEvent.Connecting::attempt)
        .containsExactly(1, 2, 3);
  }

  @Test
  void aRefusedKeyEndsTheClientUnlessRetryingOnAuthFailureIsAsked() {
    ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
    Failure refused =
        Failure.of(FailureKind.AUTH_REFUSED, "server h:7000 refused this client: bad key", null);
    last().fail(refused);

    assertThat(loop.exit()).isCompleted();
    assertThat(loop.exit().join().failure()).isEqualTo(refused);
    assertThat(events.all(ClientEvent.ConnectFailed.class).get(0).retryIn()).isNull();
    assertThat(events.all(ClientEvent.Stopped.class)).hasSize(1);
    assertThat(loop.connected()).isCompletedExceptionally();
    advance(Duration.ofMinutes(5));
    assertThat(attempts).hasSize(1);

    attempts.clear();
    ReconnectLoop patient =
        loop(new ReconnectPolicy(true, Duration.ofSeconds(1), Duration.ofSeconds(30), true));
    last().fail(refused);
    assertThat(patient.exit()).isNotDone();
    advance(Duration.ofSeconds(1));
    assertThat(attempts).hasSize(2);
  }

  @Test
  void aSessionReplacedAgainWaitsLongerEachTimeThoughItWasUpInBetween() {
    Failure replaced =
        Failure.of(FailureKind.REPLACED, "server h:7000 replaced this session: another", null);
    try (LogCapture logs = new LogCapture(ReconnectLoop.class)) {
      ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
      List<Duration> waits = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        last().succeed("1.0");
        last().fail(replaced);
        Duration wait = events.all(ClientEvent.Disconnected.class).get(i).retryIn();
        waits.add(wait);
        advance(wait);
      }
      assertThat(waits)
          .containsExactly(
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(4),
              Duration.ofSeconds(8));
      assertThat(logs.messagesAt("ERROR")).hasSize(1);
      assertThat(logs.messagesAt("WARN")).hasSize(3);

      last().succeed("1.0");
      last().fail(LOST);
      assertThat(events.all(ClientEvent.Disconnected.class).get(4).retryIn())
          .as("another kind of loss starts the backoff over")
          .isEqualTo(Duration.ofSeconds(1));
      assertThat(loop.exit()).isNotDone();
    }
  }

  @Test
  void anUntrustedServerIsNeverRetried() {
    ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
    last()
        .fail(new Failure(FailureKind.UNTRUSTED_SERVER, "mismatch", "sha256:a", "sha256:b", null));
    assertThat(loop.exit().join().failure().kind()).isEqualTo(FailureKind.UNTRUSTED_SERVER);
    assertThat(loop.view().state()).isEqualTo(SessionState.DISCONNECTED);
  }

  @Test
  void withReconnectingOffTheFirstLossEndsTheClient() {
    ReconnectLoop loop =
        loop(new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(30), false));
    last().succeed("1.0");
    last().fail(LOST);
    assertThat(loop.exit().join().failure()).isEqualTo(LOST);
    assertThat(events.all(ClientEvent.Disconnected.class).get(0).retryIn()).isNull();
  }

  @Test
  void closingEndsTheAttemptAndCancelsThePendingRetry() {
    ReconnectLoop loop = loop(ReconnectPolicy.DEFAULT);
    last().fail(UNREACHABLE);
    loop.finish(ClientExit.CLOSED);
    assertThat(loop.exit().join().closedOnRequest()).isTrue();
    assertThat(loop.view().state()).isEqualTo(SessionState.CLOSED);
    assertThat(loop.connected()).isCancelled();
    advance(Duration.ofMinutes(1));
    assertThat(attempts).hasSize(1);

    attempts.clear();
    ReconnectLoop connectedLoop = loop(ReconnectPolicy.DEFAULT);
    FakeAttempt up = last();
    up.succeed("1.0");
    connectedLoop.finish(ClientExit.CLOSED);
    assertThat(up.closed).isTrue();
    assertThat(connectedLoop.exit().join().closedOnRequest()).isTrue();
  }

  /** An attempt the test ends by hand. */
  private static final class FakeAttempt implements SessionAttempt {
    private final Listener listener;
    private boolean authenticated;
    boolean closed;

    FakeAttempt(Listener listener) {
      this.listener = listener;
    }

    void succeed(String serverVersion) {
      authenticated = true;
      listener.onConnected(this, serverVersion);
    }

    void fail(Failure failure) {
      listener.onEnded(this, failure);
    }

    @Override
    public void connect() {}

    @Override
    public void close() {
      closed = true;
      listener.onEnded(this, null);
    }

    @Override
    public CompletableFuture<Void> drain(long graceMillis) {
      close();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean wasAuthenticated() {
      return authenticated;
    }

    @Override
    public int openDataStreams() {
      return 0;
    }

    @Override
    public Future<Channel> openStream(ChannelHandler initializer) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(
          new IllegalStateException("a fake attempt opens no streams"));
    }
  }
}
