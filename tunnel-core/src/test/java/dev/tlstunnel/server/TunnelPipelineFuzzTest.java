package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.TrackingAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of the whole server tunnel pipeline after TLS (keepalive, yamux codec and
 * session, control stream codec, authentication, control handler, tail) on an embedded channel. An
 * input finds a bug if an exception escapes the pipeline or if, once the connection is closed,
 * anything is left behind (a session, a proxy registration, a keepalive timer, a buffer not
 * released: checked for each input by a {@link TrackingAllocator}, and by Netty's leak detector).
 *
 * <p>Under {@code mvn verify} this class runs in the surefire execution "fuzz" with {@code
 * JAZZER_FUZZ=1}: Jazzer fuzzes for {@code maxDuration}. Elsewhere (an IDE, {@code -Dtest=...}) it
 * runs in regression mode over the inputs in {@code TunnelPipelineFuzzTestInputs/}.
 */
@ExtendWith(LeakDetectorExtension.class)
class TunnelPipelineFuzzTest {
  @FuzzTest(maxDuration = "60s")
  // JUnit applies @Timeout to the whole fuzzing run (and Jazzer to each input): above maxDuration
  @Timeout(240)
  @DictionaryEntries({
    "\"type\"",
    "client_hello",
    "register_proxies",
    "heartbeat",
    "\"protocol_version\":1",
    "\"auth_key\"",
    "\"" + FuzzInputs.KEY + "\"",
    "\"proxies\"",
    "\"publish_port\"",
    "\"bind_retry\"",
  })
  void tunnelPipeline(byte[] input) {
    ServerContext context = FuzzInputs.context();
    EmbeddedChannel tunnel = new EmbeddedChannel();
    TrackingAllocator alloc = new TrackingAllocator();
    tunnel.config().setAllocator(alloc);
    tunnel.freezeTime();
    ServerTunnelInitializer.addAfterTls(context, tunnel);
    try {
      FuzzInputs.feed(tunnel, input, FuzzInputs.shape(input));
      tunnel.checkException();
      assertThat(context.sessions.size()).isLessThanOrEqualTo(1);
    } finally {
      tunnel.close();
      tunnel.runPendingTasks();
      tunnel.finishAndReleaseAll();
    }
    assertThat(context.sessions).as("sessions after close").isEmpty();
    assertThat(context.sessionsByClientId).as("sessions by id after close").isEmpty();
    assertThat(context.registry.entries()).as("proxies after close").isEmpty();
    assertThat(context.keepAliveTimers.get()).as("keepalive timers after close").isZero();
    alloc.assertAllReleased();
  }
}
