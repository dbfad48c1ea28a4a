package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Public peers that send their request and end their output at once, before the server has read
 * anything from them (auto-read is off until the stream is open). Each must get its whole echo.
 */
@Timeout(60)
class EndOfInputBeforeFirstReadTest extends EchoTunnelTest {
  private static final int CONNECTIONS = 300;

  @Test
  void everyEarlyHalfClosedConnectionGetsItsWholeEcho() throws Exception {
    int port = startEchoTunnel();
    List<Socket> sockets = new ArrayList<>();
    List<byte[]> sent = new ArrayList<>();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        Socket s = Streams.connect(port, 20_000);
        byte[] payload = new byte[1024 + i];
        new Random(i).nextBytes(payload);
        s.getOutputStream().write(payload);
        s.shutdownOutput();
        sockets.add(s);
        sent.add(payload);
      }
      for (int i = 0; i < CONNECTIONS; i++) {
        byte[] back = sockets.get(i).getInputStream().readAllBytes();
        assertThat(back).as("connection %d", i).isEqualTo(sent.get(i));
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
