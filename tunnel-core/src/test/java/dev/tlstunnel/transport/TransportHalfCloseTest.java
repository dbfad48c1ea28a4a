package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.IoTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every relay relies on: a connection with auto-read off whose peer sends data and
 * ends its output while nobody reads still delivers that data, then the end of input, on the next
 * {@code read()}. It holds on NIO and io_uring (where io_uring does not load, {@link Transport#of}
 * falls back to NIO, which is then what runs). Netty 4.2.18's epoll transport breaks it (the socket
 * leaves the epoll set when its last interest flag clears; the next {@code read()} fails with
 * {@code epoll_ctl(..) failed with error(-2)}), which is why epoll is only used when asked for.
 */
@Timeout(20)
class TransportHalfCloseTest {

  private static final int ANSWER_CHUNK = 64 * 1024;
  private static final int ANSWER_CHUNKS = 256;

  @ParameterizedTest
  @EnumSource(
      value = IoTransport.class,
      names = {"NIO", "IO_URING"})
  void requestEndOfInputAndALargeAnswerSurviveAPauseInReading(IoTransport asked) throws Exception {
    Transport transport = Transport.of(asked);
    EventLoopGroup group = transport.newGroup(1, "half-close-test");
    CompletableFuture<String> received = new CompletableFuture<>();
    try {
      Channel server = AutoReadOffServer.bind(transport, group, new PausedReader(received), true);
      try (Socket peer = new Socket("127.0.0.1", AutoReadOffServer.port(server))) {
        peer.getOutputStream().write("sent before anyone read".getBytes(StandardCharsets.UTF_8));
        peer.shutdownOutput();
        long answered = peer.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("sent before anyone read|EOF");
        assertThat(answered).isEqualTo(ANSWER_CHUNKS * (long) ANSWER_CHUNK);
      }
      server.close().sync();
    } finally {
      Transport.shutdown(group, 1).sync();
    }
  }

  /**
   * Asks for nothing for 300 ms after the connection is up (a relay waiting for its stream), then
   * reads and answers.
   */
  private static final class PausedReader extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<String> received;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    PausedReader(CompletableFuture<String> received) {
      this.received = received;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.executor()
          .schedule(
              () -> {
                ctx.read();
                answer(ctx, ANSWER_CHUNKS);
              },
              300,
              TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      try {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        data.write(bytes, 0, bytes.length);
      } finally {
        ReferenceCountUtil.release(buf);
      }
      ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        received.complete(data.toString(StandardCharsets.UTF_8) + "|EOF");
      }
    }

    /** Writes the answer a chunk at a time, each after the previous one left. */
    private void answer(ChannelHandlerContext ctx, int chunksLeft) {
      if (chunksLeft == 0) {
        ((DuplexChannel) ctx.channel()).shutdownOutput();
        return;
      }
      ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[ANSWER_CHUNK]))
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  answer(ctx, chunksLeft - 1);
                } else {
                  ctx.close();
                }
              });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      received.completeExceptionally(cause);
      ctx.close();
    }
  }
}
