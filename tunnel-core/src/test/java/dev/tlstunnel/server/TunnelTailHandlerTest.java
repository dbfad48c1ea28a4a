package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tail of a tunnel connection: one line per failed TLS handshake, naming a bound it hit. */
@Timeout(10)
class TunnelTailHandlerTest {
  @Test
  void aHandshakeTimeoutNamesTheBoundAndOtherFailuresTheirCause() {
    RateLimitedLog logs = new RateLimitedLog(0, 16, System::nanoTime);
    try (LogCapture capture = new LogCapture(TunnelTailHandler.class)) {
      EmbeddedChannel slow = new EmbeddedChannel(new TunnelTailHandler(logs, 10_000));
      slow.pipeline()
          .fireUserEventTriggered(
              new SslHandshakeCompletionEvent(
                  new SslHandshakeTimeoutException("handshake timed out after 10000ms")));
      EmbeddedChannel bad = new EmbeddedChannel(new TunnelTailHandler(logs, 10_000));
      bad.pipeline()
          .fireUserEventTriggered(
              new SslHandshakeCompletionEvent(new SSLHandshakeException("no cipher suites")));
      assertThat(capture.messages())
          .containsExactly(
              "TLS handshake with embedded failed: limit handshake_timeout=10000ms reached",
              "TLS handshake with embedded failed: no cipher suites");
      slow.finishAndReleaseAll();
      bad.finishAndReleaseAll();
    }
  }
}
