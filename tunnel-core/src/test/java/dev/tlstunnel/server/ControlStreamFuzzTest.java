package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Coverage-guided fuzzing of the control stream alone: length framing, the JSON codec and the auth
 * handler (then the control handler, once the input authenticates). Faster per input than {@link
 * TunnelPipelineFuzzTest}, so it goes deeper into the JSON rules. Byte 0 odd: a valid hello first.
 * Invariants: nothing escapes the pipeline; the tunnel is authenticated only after an {@code
 * auth_result} with {@code ok=true}; closing the tunnel removes the session and releases every
 * buffer the pipeline allocated.
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
    FuzzInputs.ControlRig rig = FuzzInputs.ControlRig.open();
    ServerContext context = rig.context();
    try (rig) {
      FuzzInputs.feed(rig.control(), input, FuzzInputs.shapeControl(input));
      rig.control().checkException();
      rig.tunnel().checkException();
      if (!context.sessions.isEmpty()) {
        assertThat(firstReply(rig.control())).as("authenticated only after ok").isTrue();
      }
    }
    assertThat(context.sessions).as("sessions after close").isEmpty();
    assertThat(context.registry.entries()).as("proxies after close").isEmpty();
    rig.alloc().assertAllReleased();
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
