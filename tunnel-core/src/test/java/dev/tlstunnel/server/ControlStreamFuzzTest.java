package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tlstunnel.protocol.ControlCodec;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.RawYamux;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of the control stream alone: length framing, the JSON codec and the auth
 * handler (then the control handler, once the input authenticates). Faster per input than {@link
 * TunnelPipelineFuzzTest}, so it goes deeper into the JSON rules. Byte 0 odd: a valid hello first.
 * Invariants: nothing escapes the pipeline; the tunnel is authenticated only after an {@code
 * auth_result} with {@code ok=true}; closing the tunnel removes the session.
 */
@ExtendWith(LeakDetectorExtension.class)
class ControlStreamFuzzTest {
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
    "\"client_id\"",
    "\"proxies\"",
    "\"timestamp_millis\"",
  })
  void controlStream(byte[] input) {
    ServerContext context = FuzzInputs.context();
    EmbeddedChannel tunnel = new EmbeddedChannel();
    EmbeddedChannel control = new EmbeddedChannel();
    tunnel.freezeTime();
    control.freezeTime();
    ControlCodec.addTo(control.pipeline());
    control.pipeline().addLast("auth", new ServerAuthHandler(context, tunnel));
    try {
      byte[] bytes = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
      if (input.length > 0 && (input[0] & 1) == 1) {
        bytes = RawYamux.concat(RawYamux.hello(FuzzInputs.KEY, "fuzz"), bytes);
      }
      FuzzInputs.feed(control, input, bytes);
      control.checkException();
      tunnel.checkException();
      if (!context.sessions.isEmpty()) {
        assertThat(firstReply(control)).as("authenticated only after ok").isTrue();
      }
    } finally {
      tunnel.close();
      tunnel.runPendingTasks();
      control.close();
      control.runPendingTasks();
      control.finishAndReleaseAll();
      tunnel.finishAndReleaseAll();
    }
    assertThat(context.sessions).as("sessions after close").isEmpty();
    assertThat(context.registry.entries()).as("proxies after close").isEmpty();
  }

  /** Whether the server wrote a successful auth_result (the outbound bytes, decoded). */
  private static boolean firstReply(EmbeddedChannel control) {
    StringBuilder written = new StringBuilder();
    for (Object out; (out = control.readOutbound()) != null; ) {
      if (out instanceof ByteBuf buf) {
        written.append(buf.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(out);
    }
    return written.indexOf("\"type\":\"auth_result\",\"ok\":true") >= 0;
  }
}
