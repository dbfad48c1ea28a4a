package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.mux.MuxTestHandlers.Collector;
import dev.tlstunnel.mux.MuxTestHandlers.Echo;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.TrackingAllocator;
import dev.tlstunnel.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a stream's reader still gets when the session ends under it: everything the peer sent before
 * its FIN, then the end of input, like a socket whose peer closed after sending; without a FIN,
 * nothing (the stream closes at once, its data dropped).
 */
@Timeout(30)
@ExtendWith(LeakDetectorExtension.class)
class SessionEndTest {
  private static final int SENT = 200_000;
  private static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    Transport.shutdown(group, 1).syncUninterruptibly();
  }

  @Test
  void dataAndFinBeforeTheEndReachAReaderThatReadsAfterIt() throws Exception {
    BlockingQueue<YamuxStreamChannel> accepted = new LinkedBlockingQueue<>();
    Collector sink = new Collector();
    byte[] data = YamuxMultiplexTest.random(SENT);
    try (LoopbackSession s = LoopbackSession.open(group, paused(sink, accepted), Echo.INSTANCE)) {
      Channel stream = YamuxMultiplexTest.open(s.client, new Collector());
      stream.writeAndFlush(Unpooled.wrappedBuffer(data));
      ((DuplexChannel) stream).shutdownOutput();
      YamuxStreamChannel receiver = accepted.poll(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onLoop(receiver, receiver::inboundFinReceived));

      s.clientParent.close().sync();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onLoop(receiver, () -> s.server.state().isClosed()));
      assertThat(receiver.isOpen()).as("open while it holds what came before the FIN").isTrue();
      assertThat(onLoop(receiver, receiver::isSessionEnded)).isTrue();

      receiver.eventLoop().execute(() -> receiver.config().setAutoRead(true));
      assertThat(sink.fin.get(10, TimeUnit.SECONDS))
          .isEqualTo(MuxTestHandlers.sha256().digest(data));
      assertThat(sink.bytes).isEqualTo(SENT);
      assertThat(receiver.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(receiver.writeAndFlush(Unpooled.wrappedBuffer(new byte[1])).await().isSuccess())
          .isFalse();
    }
  }

  @Test
  void withoutAFinTheStreamClosesAtTheEnd() throws Exception {
    BlockingQueue<YamuxStreamChannel> accepted = new LinkedBlockingQueue<>();
    Collector sink = new Collector();
    try (LoopbackSession s = LoopbackSession.open(group, paused(sink, accepted), Echo.INSTANCE)) {
      Channel stream = YamuxMultiplexTest.open(s.client, new Collector());
      stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[1000]));
      YamuxStreamChannel receiver = accepted.poll(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onLoop(receiver, () -> receiver.queuedInboundBytes() == 1000));

      s.clientParent.close().sync();
      assertThat(receiver.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(receiver.isSessionEnded()).isFalse();
      assertThat(sink.bytes).isZero();
      assertThat(sink.fin).isNotDone();
    }
  }

  /**
   * The frames of one read: a stream opens, sends data and its FIN, then the session fails. The
   * read-complete that hands the reader its end of input is due at the end of that read, after the
   * session ended; it must still come, or the stream would stay open with its buffers.
   */
  @Test
  void finInTheReadThatEndsTheSessionStillReachesTheReader() {
    TrackingAllocator alloc = new TrackingAllocator();
    Collector sink = new Collector();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAllocator(alloc);
    YamuxMultiplexHandler.addTo(
        ch.pipeline(),
        new YamuxConfig(1024 * 1024, 16384, 10, new YamuxConfig.LimitNames("w", "s")),
        (log, tunnel, bound, format, args) -> {},
        false,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel c) {
            c.pipeline().addLast(sink);
          }
        });
    ByteBuf read = alloc.buffer();
    read.writeByte(0).writeByte(YamuxFrame.TYPE_DATA).writeShort(YamuxFrame.FLAG_SYN);
    read.writeInt(1).writeInt(3).writeBytes(new byte[] {1, 2, 3});
    read.writeByte(0).writeByte(YamuxFrame.TYPE_WINDOW_UPDATE).writeShort(YamuxFrame.FLAG_FIN);
    read.writeInt(1).writeInt(0);
    read.writeByte(1).writeZero(11); // version 1: a protocol error
    ch.writeInbound(read);
    ch.runPendingTasks(); // the closed channel's inactive event

    assertThat(ch.isOpen()).isFalse();
    assertThat(sink.bytes).isEqualTo(3);
    assertThat(sink.fin).as("end of input delivered").isDone();
    assertThat(sink.channel.isOpen()).as("stream closed after its end of input").isFalse();
    ch.finishAndReleaseAll();
    alloc.assertAllReleased();
  }

  private static ChannelHandler paused(Collector sink, BlockingQueue<YamuxStreamChannel> accepted) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(sink);
        accepted.add((YamuxStreamChannel) ch);
      }
    };
  }

  private static <T> T onLoop(Channel ch, java.util.concurrent.Callable<T> task) throws Exception {
    return YamuxMultiplexTest.onLoop(ch, task);
  }
}
