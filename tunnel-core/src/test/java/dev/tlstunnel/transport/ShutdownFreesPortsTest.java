package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tlstunnel.IoTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Shutting an event loop group down with {@link Transport#shutdown} frees the ports of the
 * listening sockets still open on it and closes the connections it accepted, as a server stopped
 * and started again in the same process needs. On io_uring, a channel the loop closes only as it
 * shuts down waits behind the loop's own drain request, and Netty closes the ring before that close
 * runs: the port stays bound and the descriptor open until the process ends.
 */
@Timeout(60)
class ShutdownFreesPortsTest {
  private static final int ROUNDS = 30;

  @ParameterizedTest
  @EnumSource(
      value = IoTransport.class,
      names = {"NIO", "IO_URING"})
  void listenersAndConnectionsLeftOpenAreClosedByTheShutdown(IoTransport asked) throws Exception {
    Transport transport = Transport.of(asked);
    for (int round = 1; round <= ROUNDS; round++) {
      EventLoopGroup group = transport.newGroup(1, "shutdown-test");
      List<Socket> peers = new ArrayList<>();
      int port;
      try {
        CountDownLatch accepted = new CountDownLatch(3);
        Channel server = AutoReadOffServer.bind(transport, group, new Accepted(accepted), false);
        port = AutoReadOffServer.port(server);
        for (int i = 0; i < 3; i++) {
          peers.add(new Socket("127.0.0.1", port));
        }
        assertThat(accepted.await(5, TimeUnit.SECONDS)).as("connections accepted").isTrue();
        // A timer far ahead, as a server's keep-alive and retry timers are: the loop waits for
        // I/O with a timeout request in its ring.
        group.next().schedule(() -> {}, 1, TimeUnit.MINUTES);
        Thread.sleep(20);
      } finally {
        assertThat(Transport.shutdown(group, 2).await(10, TimeUnit.SECONDS))
            .as("group terminated")
            .isTrue();
      }
      for (Socket peer : peers) {
        try (peer) {
          peer.setSoTimeout(5_000);
          assertThat(peer.getInputStream().read())
              .as("round %d: end of stream", round)
              .isEqualTo(-1);
        }
      }
      int free = port;
      assertThatCode(
              () -> {
                try (ServerSocket again = new ServerSocket()) {
                  again.bind(new InetSocketAddress("127.0.0.1", free));
                }
              })
          .as("round %d: port %d free after the shutdown", round, free)
          .doesNotThrowAnyException();
    }
  }

  /** Counts the connections that became active. */
  private static final class Accepted extends ChannelInboundHandlerAdapter {
    private final CountDownLatch active;

    Accepted(CountDownLatch active) {
      this.active = active;
    }

    @Override
    public boolean isSharable() {
      return true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active.countDown();
    }
  }
}
