package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A burst of public connections, opened one right after another faster than the server sets them
 * up, more of them than {@code max_pending_connects}: with a client that answers, each is set up in
 * turn (those not accepted yet wait in the kernel's backlog), and none is refused.
 */
@Timeout(60)
class ConnectionBurstTest extends EchoTunnelTest {
  private static final int CONNECTIONS = 3 * Limits.DEFAULT.maxPendingConnects();
  private static final int OPENERS = 8;

  @Test
  void aBurstLargerThanThePendingBoundIsServedWhole() throws Exception {
    int port = startEchoTunnel();
    List<Socket> sockets = new ArrayList<>();
    try {
      // connected from several threads at once, so that the kernel's backlog fills
      ExecutorService openers = Executors.newFixedThreadPool(OPENERS);
      try {
        List<Future<List<Socket>>> opened = new ArrayList<>();
        for (int t = 0; t < OPENERS; t++) {
          opened.add(
              openers.submit(
                  () -> {
                    List<Socket> mine = new ArrayList<>();
                    for (int i = 0; i < CONNECTIONS / OPENERS; i++) {
                      mine.add(Streams.connect(port, 20_000));
                    }
                    return mine;
                  }));
        }
        for (Future<List<Socket>> f : opened) {
          sockets.addAll(f.get());
        }
      } finally {
        openers.shutdownNow();
      }
      for (Socket s : sockets) {
        try {
          s.getOutputStream().write('x');
        } catch (SocketException refused) {
          // closed already: counted below
        }
      }
      int echoed = 0;
      for (Socket s : sockets) {
        try {
          if (s.getInputStream().read() == 'x') {
            echoed++;
          }
        } catch (SocketException refused) {
          // reset: counted as not echoed
        }
      }
      assertThat(echoed).as("connections of %d echoed", CONNECTIONS).isEqualTo(CONNECTIONS);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
