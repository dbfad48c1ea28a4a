package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that floods the server with pings and never reads their answers: the answers queue for it
 * only up to a bound, then its session is closed, and a real client keeps relaying.
 *
 * <p>The flood needs about 11 MB of pings before the answers back up beyond the bound (the sockets'
 * buffers take the rest). How fast the server answers depends on the machine: on one loaded by
 * other builds it answered only 4 to 10 MB within a minute, so the authentication deadline, which
 * would otherwise end the connection first, is long here; the flood still gives up after 200 MB.
 */
@Timeout(300)
class ReplyBacklogEndToEndTest extends EchoTunnelTest {
  /** 1,000 pings per write; the flood gives up after 200 MB of them. */
  private static final int BATCH = 1_000;

  private static final int MAX_BATCHES = 200 * 1024 * 1024 / (BATCH * 12);

  @Test
  void aPeerThatSendsPingsAndNeverReadsIsClosedOnceItsAnswersPileUp() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(fixture.serverBuilder().handshakeTimeout(Duration.ofMinutes(4))));
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(), "legit", List.of(proxy("echo", 0, echo.port()))));
    int published = publishedPort(server, "echo");
    byte[] batch = new byte[BATCH * 12];
    for (int i = 0; i < BATCH; i++) {
      byte[] ping = RawYamux.header(RawYamux.PING, RawYamux.SYN, 0, i);
      System.arraycopy(ping, 0, batch, i * 12, 12);
    }
    try (LogCapture logs = new LogCapture(YamuxMultiplexHandler.class);
        RawYamux flood =
            RawYamux.connect(
                RawYamux.trusting(fixture.pki().cert()), "127.0.0.1", server.address().getPort())) {
      int sent = 0;
      boolean closed = false;
      for (; sent < MAX_BATCHES; sent++) {
        try {
          flood.send(batch);
        } catch (IOException e) {
          closed = true;
          break;
        }
      }
      System.out.printf(
          "reply backlog: closed=%s after %.1f MB of pings%n", closed, sent * 12.0 * BATCH / 1e6);
      assertThat(closed).as("the server closed the flooding connection").isTrue();
      assertThat(logs.warnings("peer is not reading")).hasSize(1);
    }
    try (Socket s = Streams.connect(published, 10_000)) {
      byte[] sent = Streams.writeRandom(s.getOutputStream(), 3, 1024 * 1024);
      s.shutdownOutput();
      assertThat(Streams.readAll(s.getInputStream()).sha256()).isEqualTo(sent);
    }
    assertThat(server.snapshot().sessions()).hasSize(1);
  }
}
