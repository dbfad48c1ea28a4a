package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.protocol.RetryProxy;
import dev.tlstunnel.protocol.RetryProxyResult;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Retry requests on a control stream, on a frozen event-loop clock. */
@Timeout(10)
class ProxyRetryRequestsTest {
  private final EmbeddedChannel control = new EmbeddedChannel();
  private final ProxyRetryRequests requests =
      new ProxyRetryRequests(control.eventLoop(), Set.of("db", "web"));

  @AfterEach
  void tearDown() {
    control.finishAndReleaseAll();
  }

  @Test
  void aServerThatIgnoresTheRequestIsNoAnswerAfterTheTimeout() {
    control.freezeTime();
    requests.attach(control);
    CompletableFuture<ProxyRetry> answer = requests.request("db");
    control.runPendingTasks();
    assertThat(control.<Object>readOutbound()).isEqualTo(new RetryProxy("db"));
    control.advanceTimeBy(ProxyRetryRequests.ANSWER_TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
    control.runScheduledPendingTasks();
    assertThat(answer).isNotDone();
    control.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    control.runScheduledPendingTasks();
    assertThat(answer.join().outcome()).isEqualTo(ProxyRetry.Outcome.NO_ANSWER);
    assertThat(answer.join().message())
        .isEqualTo(
            "the server did not answer within 5s: it may run a version without retry, which"
                + " ignores the request; restarting the client registers proxy 'db' again and"
                + " starts its bind schedule anew");
  }

  @Test
  void theServersAnswerCompletesEveryRequestForThatProxy() {
    requests.attach(control);
    CompletableFuture<ProxyRetry> first = requests.request("db");
    CompletableFuture<ProxyRetry> second = requests.request("db");
    CompletableFuture<ProxyRetry> other = requests.request("web");
    control.runPendingTasks();
    requests.onResult(new RetryProxyResult("db", false, "proxy 'db' is retrying already"));
    assertThat(first.join())
        .isEqualTo(
            new ProxyRetry("db", ProxyRetry.Outcome.REFUSED, "proxy 'db' is retrying already"));
    assertThat(second.join()).isEqualTo(first.join());
    assertThat(other).isNotDone();
    requests.detach(control);
    control.runPendingTasks();
    assertThat(other.join().outcome()).isEqualTo(ProxyRetry.Outcome.NOT_CONNECTED);
  }

  @Test
  void unknownProxiesAndNoSessionAreAnsweredAtOnce() {
    CompletableFuture<ProxyRetry> noSession = requests.request("db");
    CompletableFuture<ProxyRetry> unknown = requests.request("nope");
    control.runPendingTasks();
    assertThat(noSession.join().outcome()).isEqualTo(ProxyRetry.Outcome.NOT_CONNECTED);
    assertThat(unknown.join().outcome()).isEqualTo(ProxyRetry.Outcome.UNKNOWN_PROXY);
    assertThat(control.<Object>readOutbound()).isNull();
  }
}
