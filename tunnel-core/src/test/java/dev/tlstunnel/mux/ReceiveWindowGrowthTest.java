package dev.tlstunnel.mux;

import static dev.tlstunnel.mux.YamuxMultiplexTest.init;
import static dev.tlstunnel.mux.YamuxMultiplexTest.onLoop;
import static dev.tlstunnel.mux.YamuxMultiplexTest.open;
import static dev.tlstunnel.mux.YamuxMultiplexTest.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.mux.MuxTestHandlers.Collector;
import dev.tlstunnel.mux.MuxTestHandlers.Sender;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When receive windows grow: over a link with 40 ms round trips a reader that keeps pace grows its
 * window, a slow one does not, and the round-trip time comes from probes sent once there is data,
 * not before.
 */
@Timeout(60)
@ExtendWith(LeakDetectorExtension.class)
class ReceiveWindowGrowthTest {
  private static final int MIB = 1024 * 1024;
  private static final long ONE_WAY_MILLIS = 20;
  private static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    Transport.shutdown(group, 1).syncUninterruptibly();
  }

  private static LoopbackSession overLongLink(BlockingQueue<Channel> accepted) throws Exception {
    YamuxConfig config = YamuxConfig.defaults();
    return LoopbackSession.open(
        group,
        config,
        init(accepted::add),
        config,
        new ChannelInboundHandlerAdapter(),
        ONE_WAY_MILLIS);
  }

  @Test
  void aReaderThatKeepsPaceOverALongLinkGrowsItsWindow() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    byte[] data = random(16 * MIB);
    try (LoopbackSession s = overLongLink(accepted)) {
      Sender sender = new Sender(data, 64 * 1024);
      open(s.client, init(ch -> ch.pipeline().addLast(sender)));
      YamuxStreamChannel receiver = (YamuxStreamChannel) accepted.poll(5, TimeUnit.SECONDS);
      Collector sink = new Collector();
      onLoop(receiver, () -> receiver.pipeline().addLast(sink));
      long start = System.nanoTime();
      sender.start();
      assertThat(sink.fin.get(50, TimeUnit.SECONDS))
          .isEqualTo(MuxTestHandlers.sha256().digest(data));
      double seconds = (System.nanoTime() - start) / 1e9;
      int window = onLoop(receiver, () -> receiver.receiveWindow().window());
      System.out.printf(
          "window growth: 16 MiB over 40 ms round trips in %.2f s (%.1f MB/s; a 256 KiB window"
              + " allows at most %.1f MB/s), window %d, session rtt %.1f ms%n",
          seconds,
          data.length / 1e6 / seconds,
          YamuxConfig.INITIAL_WINDOW / 1e6 / (2 * ONE_WAY_MILLIS / 1e3),
          window,
          onLoop(receiver, () -> s.server.pings().rttNanos()) / 1e6);
      assertThat(window).isGreaterThanOrEqualTo(4 * YamuxConfig.INITIAL_WINDOW);
      assertThat(s.server.receiveWindowGrowth()).isEqualTo(window - YamuxConfig.INITIAL_WINDOW);
    }
  }

  @Test
  void aSlowReaderOverTheSameLinkKeepsTheInitialWindow() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    byte[] data = random(2 * MIB);
    try (LoopbackSession s = overLongLink(accepted)) {
      Sender sender = new Sender(data, 64 * 1024);
      open(s.client, init(ch -> ch.pipeline().addLast(sender)));
      YamuxStreamChannel receiver = (YamuxStreamChannel) accepted.poll(5, TimeUnit.SECONDS);
      Collector sink = new Collector();
      // One read (at most 64 KiB) every 20 ms: ~3 MB/s, half what the initial window allows here.
      ScheduledFuture<?> reads =
          onLoop(
              receiver,
              () -> {
                receiver.config().setAutoRead(false);
                receiver.pipeline().addLast(sink);
                return receiver
                    .eventLoop()
                    .scheduleAtFixedRate(receiver::read, 20, 20, TimeUnit.MILLISECONDS);
              });
      sender.start();
      try {
        assertThat(sink.fin.get(50, TimeUnit.SECONDS))
            .isEqualTo(MuxTestHandlers.sha256().digest(data));
      } finally {
        reads.cancel(false);
      }
      assertThat(onLoop(receiver, () -> receiver.receiveWindow().window()))
          .isEqualTo(YamuxConfig.INITIAL_WINDOW);
      assertThat(s.server.receiveWindowGrowth()).isZero();
    }
  }

  @Test
  void noPingUntilAWindowUpdateAsksForTheRoundTripTime() {
    EmbeddedChannel ch = new EmbeddedChannel();
    YamuxMultiplexHandler.addTo(
        ch.pipeline(),
        YamuxConfig.defaults(),
        true,
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
          }
        });
    assertThat(WrittenFrames.drain(ch)).as("nothing sent on activation").isEmpty();
    int half = YamuxConfig.INITIAL_WINDOW / 2;
    ByteBuf data = Unpooled.buffer(12 + half);
    data.writeByte(0).writeByte(YamuxFrame.TYPE_DATA).writeShort(YamuxFrame.FLAG_SYN);
    data.writeInt(2).writeInt(half).writeZero(half);
    ch.writeInbound(data);
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString(),
            YamuxFrame.ping(YamuxFrame.FLAG_SYN, 0).toString(),
            YamuxFrame.windowUpdate(0, 2, half).toString());
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    assertThat(session.pings().rttNanos()).isZero();
    ByteBuf ack = Unpooled.buffer(12);
    ack.writeByte(0).writeByte(YamuxFrame.TYPE_PING).writeShort(YamuxFrame.FLAG_ACK);
    ack.writeInt(0).writeInt(0);
    ch.writeInbound(ack);
    assertThat(session.pings().rttNanos()).isPositive();
    ch.finishAndReleaseAll();
  }
}
