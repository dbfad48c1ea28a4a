package dev.tlstunnel.visitor;

import static dev.tlstunnel.testing.VisitorRig.localPort;
import static dev.tlstunnel.testing.VisitorRig.visitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.VisitorRig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A visitor's local listener fails to bind exactly like a published port: each on its own, retried
 * with backoff, the same diagnostic texts and states, one log line per change.
 */
@Timeout(60)
class VisitorBindRetryTest extends EchoTunnelTest {

  private static VisitorConfig visitorOn(String name, String addr, int port, BindRetryPolicy p) {
    return new VisitorConfig(name, "office/echo", addr, port, VisitorRig.SECRET, p);
  }

  @Test
  void portHeldByAnotherProcessRetriesWithTheExactTextsAndBindsWhenFreed() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    rig.startPublisher(echo.port());
    BindRetryPolicy quick = new BindRetryPolicy(200, Duration.ofMillis(50), Duration.ofMillis(100));
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try (LogCapture log = new LogCapture(Visitor.class)) {
      int taken = squatter.getLocalPort();
      TunnelClient laptop =
          rig.startVisitor(
              VisitorRig.VISITOR,
              List.of(
                  visitorOn("held", "127.0.0.1", taken, quick),
                  visitorOn("free", "127.0.0.1", 0, quick)));
      assertThat(Streams.echoes(localPort(laptop, "free"))).as("the other visitor serves").isTrue();
      await().until(() -> visitor(laptop, "held").status() == ProxyStatus.UNHEALTHY);
      VisitorState held = visitor(laptop, "held");
      assertThat(held.error()).isEqualTo("Port " + taken + " is already in use by another process");
      assertThat(held.retryAfter())
          .isEqualTo(Duration.ofMillis(100)); // 50ms, raised to the minimum
      assertThat(held.nextRetryAt()).isNotNull();
      assertThat(held.maxRetries()).isEqualTo(200);
      assertThat(held.local()).isNull();
      assertThat(log.messages())
          .contains(
              "Visitor 'held' bind failed (attempt 1/200): Port "
                  + taken
                  + " is already in use by another process. Retrying in 0.1 seconds...");

      squatter.close();
      await().until(() -> visitor(laptop, "held").status() == ProxyStatus.HEALTHY);
      assertThat(Streams.echoes(taken)).isTrue();
      assertThat(log.messages())
          .anyMatch(
              m ->
                  m.matches(
                      "Visitor 'held' listening on 127\\.0\\.0\\.1:"
                          + taken
                          + " \\(after \\d+ retries\\)"));
    } finally {
      squatter.close();
    }
  }

  @Test
  void givesUpAfterItsRetriesWhileTheClientAndOtherVisitorsGoOn() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    rig.startPublisher(echo.port());
    BindRetryPolicy twice = new BindRetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(40));
    try (LogCapture log = new LogCapture(Visitor.class);
        ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int taken = squatter.getLocalPort();
      TunnelClient laptop =
          rig.startVisitor(
              VisitorRig.VISITOR,
              List.of(
                  visitorOn("held", "127.0.0.1", taken, twice),
                  visitorOn("far", "192.0.2.1", 18080, twice),
                  visitorOn("free", "127.0.0.1", 0, twice)));
      await().until(() -> visitor(laptop, "held").status() == ProxyStatus.BIND_FAILED);
      await().until(() -> visitor(laptop, "far").status() == ProxyStatus.BIND_FAILED);
      assertThat(visitor(laptop, "held").attempt()).isEqualTo(3);
      assertThat(visitor(laptop, "far").error())
          .isEqualTo(
              "Failed to bind visitor listener on 192.0.2.1:18080: Cannot assign requested address");
      assertThat(log.messages())
          .contains(
              "Visitor 'held' bind failed after 2 retries: Port "
                  + taken
                  + " is already in use by another process");
      assertThat(laptop.status().sessionState()).isEqualTo(SessionState.CONNECTED);
      assertThat(Streams.echoes(localPort(laptop, "free"))).isTrue();
    }
  }
}
