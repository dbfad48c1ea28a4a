package dev.tlstunnel.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.IoTransport;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reload socket listens on whichever socket transport the server or client runs on: its
 * domain-socket channel must match the event loop's kind, or a server on io_uring would start
 * without its reload socket.
 */
@Timeout(30)
class ControlSocketTransportTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(IoTransport.class)
  void listensAndAnswersOnEveryTransport(IoTransport kind) throws Exception {
    Transport transport = Transport.of(kind);
    EventLoopGroup group = transport.newGroup(1, "control-" + kind);
    Path path = dir.resolve("reload.sock");
    ControlSocket socket = ControlSocket.start(group, path, this::noReload);
    try {
      assertThat(get(path, "/nothing")).startsWith("HTTP/1.1 404");
    } finally {
      socket.close();
      Transport.shutdown(group, 5).sync();
    }
    assertThat(path).doesNotExist();
  }

  private CompletableFuture<ReloadResult> noReload(boolean dryRun, String asked) {
    return CompletableFuture.failedFuture(new IllegalStateException("not asked for"));
  }

  private static String get(Path path, String target) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      String request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer reply = ByteBuffer.allocate(4096);
      while (ch.read(reply) >= 0 && reply.position() < 12) {
        // until the status line is in
      }
      return new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII);
    }
  }
}
