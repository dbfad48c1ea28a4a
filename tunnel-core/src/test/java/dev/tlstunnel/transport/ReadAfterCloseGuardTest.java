package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.IoTransport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection closed right after an answer was written, with a read asked for after the close (as
 * an {@code SslHandler} does after a failed handshake), ends at once for a peer that then stays
 * silent. On io_uring without {@link ReadAfterCloseGuard} the read arms a poll that keeps the
 * socket alive after its descriptor is closed, and the peer waits for the end of stream until it
 * sends or closes itself. Where io_uring does not load, {@link Transport#of} falls back to NIO.
 */
@Timeout(20)
class ReadAfterCloseGuardTest {

  @ParameterizedTest
  @EnumSource(
      value = IoTransport.class,
      names = {"NIO", "IO_URING"})
  void aSilentPeerSeesTheEndOfAConnectionClosedWithAReadAskedForAfterTheClose(IoTransport asked)
      throws Exception {
    Transport transport = Transport.of(asked);
    EventLoopGroup group = transport.newGroup(1, "read-after-close-test");
    CompletableFuture<Boolean> guarded = new CompletableFuture<>();
    try {
      Channel server =
          AutoReadOffServer.bind(transport, group, new AnswerThenClose(guarded), false);
      try (Socket peer = new Socket("127.0.0.1", AutoReadOffServer.port(server))) {
        peer.setSoTimeout(5_000);
        peer.getOutputStream().write("question".getBytes(StandardCharsets.UTF_8));
        InputStream in = peer.getInputStream();
        assertThat(new String(in.readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("answer");
        long waited = System.nanoTime();
        assertThat(in.read()).as("end of stream").isEqualTo(-1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waited)).isLessThan(2_000);
      }
      assertThat(guarded.get(5, TimeUnit.SECONDS))
          .as("guard in the pipeline")
          .isEqualTo(transport.socketChannelClass() == IoUringSocketChannel.class);
      server.close().sync();
    } finally {
      Transport.shutdown(group, 1).sync();
    }
  }

  /** Reads the question, writes the answer, closes, and then asks for more input. */
  private static final class AnswerThenClose extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Boolean> guarded;

    AnswerThenClose(CompletableFuture<Boolean> guarded) {
      this.guarded = guarded;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      guarded.complete(ctx.pipeline().get(ReadAfterCloseGuard.NAME) != null);
      ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.writeAndFlush(Unpooled.copiedBuffer("answer", StandardCharsets.UTF_8));
      ctx.close();
      ctx.read();
    }
  }
}
