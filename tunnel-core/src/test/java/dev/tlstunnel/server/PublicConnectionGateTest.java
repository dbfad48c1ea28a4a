package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Per-proxy open connections and per-session pending connects. */
@Timeout(10)
class PublicConnectionGateTest {
  private final RateLimitedLog logs = new RateLimitedLog(0, 100, System::nanoTime);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    channels.add(ch);
    return ch;
  }

  @Test
  void connectionsBeyondTheProxyBoundAreClosedNamingIt() {
    PublicConnectionGate gate =
        new PublicConnectionGate(
            "c1", 2, 100, logs, new ServerEvents(java.util.List.of(), java.time.Clock.systemUTC()));
    EmbeddedChannel a = channel();
    assertThat(gate.admit(a, "web")).isTrue();
    assertThat(gate.admit(channel(), "web")).isTrue();
    try (LogCapture capture = new LogCapture(PublicConnectionGate.class)) {
      EmbeddedChannel third = channel();
      assertThat(gate.admit(third, "web")).isFalse();
      assertThat(third.isOpen()).isFalse();
      assertThat(capture.messages())
          .singleElement()
          .asString()
          .startsWith(
              "limit max_connections_per_proxy=2 reached for proxy 'web' (client 'c1');"
                  + " closing connection from ");
    }
    assertThat(gate.admit(channel(), "ssh")).as("another proxy").isTrue();
    a.close();
    assertThat(gate.open("web")).isEqualTo(1);
    assertThat(gate.admit(channel(), "web")).isTrue();
  }

  @Test
  void pendingConnectsAreBoundedPerSession() {
    PublicConnectionGate gate =
        new PublicConnectionGate(
            "c1", 100, 2, logs, new ServerEvents(java.util.List.of(), java.time.Clock.systemUTC()));
    EmbeddedChannel a = channel();
    EmbeddedChannel b = channel();
    assertThat(gate.admit(a, "web")).isTrue();
    assertThat(gate.admit(b, "ssh")).isTrue();
    try (LogCapture capture = new LogCapture(PublicConnectionGate.class)) {
      assertThat(gate.admit(channel(), "web")).isFalse();
      assertThat(capture.messages())
          .singleElement()
          .asString()
          .startsWith("limit max_pending_connects=2 reached for proxy 'web' (client 'c1')");
    }
    gate.settled(a);
    assertThat(gate.pending()).isEqualTo(1);
    assertThat(gate.admit(channel(), "web")).isTrue();
    b.close();
    assertThat(gate.pending()).isEqualTo(1);
  }
}
