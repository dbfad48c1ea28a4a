package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.mux.MuxTestHandlers.Collector;
import dev.tlstunnel.mux.MuxTestHandlers.Echo;
import dev.tlstunnel.mux.MuxTestHandlers.Sender;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.transport.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(30)
@ExtendWith(LeakDetectorExtension.class)
class YamuxMultiplexTest {
  private static final int MIB = 1024 * 1024;
  private static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    Transport.shutdown(group, 1).syncUninterruptibly();
  }

  static ChannelHandler init(Consumer<Channel> body) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        body.accept(ch);
      }
    };
  }

  static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  static Channel open(YamuxMultiplexHandler session, ChannelHandler init) throws Exception {
    return session.openStream(init).get(5, TimeUnit.SECONDS);
  }

  @Test
  void echoesOnStreamsOpenedFromEitherSide() throws Exception {
    try (LoopbackSession s = LoopbackSession.open(group, Echo.INSTANCE, Echo.INSTANCE)) {
      for (YamuxMultiplexHandler opener : new YamuxMultiplexHandler[] {s.client, s.server}) {
        Collector c = new Collector();
        Channel stream = open(opener, c);
        stream.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        ((DuplexChannel) stream).shutdownOutput();
        c.fin.get(5, TimeUnit.SECONDS);
        assertThat(c.text()).isEqualTo("hello");
        assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS))
            .as("closes after both FINs")
            .isTrue();
        assertThat(c.sawInputShutdownInOrder()).isTrue();
      }
      assertThat(s.client.streamCount()).isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.server.streamCount() == 0);
    }
  }

  @Test
  void clientIdsAreOddServerIdsEven() throws Exception {
    try (LoopbackSession s = LoopbackSession.open(group, Echo.INSTANCE, Echo.INSTANCE)) {
      YamuxStreamChannel a = (YamuxStreamChannel) open(s.client, new Collector());
      YamuxStreamChannel b = (YamuxStreamChannel) open(s.client, new Collector());
      YamuxStreamChannel c = (YamuxStreamChannel) open(s.server, new Collector());
      assertThat(a.streamId()).isEqualTo(1);
      assertThat(b.streamId()).isEqualTo(3);
      assertThat(c.streamId()).isEqualTo(2);
      assertThat(a.parent()).isSameAs(s.clientParent);
      assertThat(a.eventLoop()).isSameAs(s.clientParent.eventLoop());
    }
  }

  @Test
  void transfersMoreThanTheWindowByteExactBothWays() throws Exception {
    byte[] data = random(8 * MIB);
    byte[] expected = MuxTestHandlers.sha256().digest(data);
    try (LoopbackSession s = LoopbackSession.open(group, Echo.INSTANCE, Echo.INSTANCE)) {
      for (YamuxMultiplexHandler opener : new YamuxMultiplexHandler[] {s.client, s.server}) {
        Collector c = new Collector();
        Sender sender = new Sender(data, 100_000);
        open(opener, init(ch -> ch.pipeline().addLast(sender, c)));
        sender.start();
        assertThat(c.fin.get(20, TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(c.bytes).isEqualTo(data.length);
      }
    }
  }

  @Test
  void halfCloseLetsDataFlowBackAfterFin() throws Exception {
    ChannelHandler replyAfterFin =
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
          }

          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
              assertThat(ctx.channel().isOpen()).isTrue();
              ctx.writeAndFlush(Unpooled.copiedBuffer("after-fin", StandardCharsets.UTF_8));
              ((DuplexChannel) ctx.channel()).shutdownOutput();
            }
          }

          @Override
          public boolean isSharable() {
            return true;
          }
        };
    try (LoopbackSession s = LoopbackSession.open(group, replyAfterFin, replyAfterFin)) {
      for (YamuxMultiplexHandler opener : new YamuxMultiplexHandler[] {s.client, s.server}) {
        Collector c = new Collector();
        DuplexChannel stream = (DuplexChannel) open(opener, c);
        stream.writeAndFlush(Unpooled.copiedBuffer("request", StandardCharsets.UTF_8));
        stream.shutdownOutput().sync();
        assertThat(stream.isOutputShutdown()).isTrue();
        assertThat(
                stream
                    .writeAndFlush(Unpooled.copiedBuffer("late", StandardCharsets.UTF_8))
                    .await()
                    .isSuccess())
            .as("write after FIN fails")
            .isFalse();
        c.fin.get(5, TimeUnit.SECONDS);
        assertThat(c.text()).isEqualTo("after-fin");
        assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void resetClosesBothEndsAtOnce() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    ChannelHandler record = init(accepted::add);
    try (LoopbackSession s = LoopbackSession.open(group, record, record)) {
      Channel mine = open(s.client, new Collector());
      mine.writeAndFlush(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8));
      Channel theirs = accepted.poll(5, TimeUnit.SECONDS);
      YamuxMultiplexHandler.reset(mine);
      assertThat(theirs.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(YamuxMultiplexHandler.isReset(theirs)).isTrue();
      assertThat(mine.isOpen()).isFalse();

      Channel fromServer = open(s.server, new Collector());
      Channel atClient = accepted.poll(5, TimeUnit.SECONDS);
      YamuxMultiplexHandler.reset(atClient);
      assertThat(fromServer.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(YamuxMultiplexHandler.isReset(fromServer)).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.server.streamCount() == 0);
      assertThat(s.client.streamCount()).isZero();
    }
  }

  @Test
  void pingMeasuresRoundTrip() throws Exception {
    try (LoopbackSession s = LoopbackSession.open(group, Echo.INSTANCE, Echo.INSTANCE)) {
      assertThat(s.client.ping().get(5, TimeUnit.SECONDS)).isPositive();
      assertThat(s.server.ping().get(5, TimeUnit.SECONDS)).isPositive();
    }
  }

  @Test
  void goAwayRefusesNewStreamsButKeepsExistingOnes() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    ChannelHandler echoAndRecord =
        init(
            ch -> {
              ch.pipeline().addLast(Echo.INSTANCE);
              accepted.add(ch);
            });
    try (LoopbackSession s = LoopbackSession.open(group, echoAndRecord, Echo.INSTANCE)) {
      Collector c = new Collector();
      Channel existing = open(s.client, c);
      // open() completes once the SYN is written; a go-away that reaches the server before the SYN
      // makes it refuse the stream (as Go's yamux does). Wait until the stream exists there.
      assertThat(accepted.poll(5, TimeUnit.SECONDS)).as("server accepted the stream").isNotNull();
      s.server.goAway(0);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !s.client.openStream(new Collector()).await().isSuccess());
      Future<Channel> refused = s.client.openStream(new Collector()).await();
      assertThat(refused.cause()).hasMessageContaining("peer sent go-away");
      assertThat(s.server.openStream(new Collector()).await().cause())
          .hasMessageContaining("go-away was sent");
      existing.writeAndFlush(Unpooled.copiedBuffer("still", StandardCharsets.UTF_8));
      ((DuplexChannel) existing).shutdownOutput();
      c.fin.get(5, TimeUnit.SECONDS);
      assertThat(c.text()).isEqualTo("still");
    }
  }

  @Test
  void streamLimitResetsExcessInboundAndRefusesExcessOutbound() throws Exception {
    YamuxConfig two = new YamuxConfig(YamuxConfig.INITIAL_WINDOW, 16384, 2);
    try (LoopbackSession s =
        LoopbackSession.open(group, two, Echo.INSTANCE, YamuxConfig.defaults(), Echo.INSTANCE)) {
      open(s.client, new Collector());
      open(s.client, new Collector());
      Channel third = open(s.client, new Collector());
      assertThat(third.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(YamuxMultiplexHandler.isReset(third)).isTrue();
      assertThat(s.server.streamCount()).isEqualTo(2);
      assertThat(s.server.openStream(new Collector()).await().cause())
          .hasMessageContaining("limit max_streams=2 reached");
    }
  }

  @Test
  void nonReadingReceiverNeverQueuesMoreThanTheWindow() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    Collector sink = new Collector();
    ChannelHandler paused =
        init(
            ch -> {
              ch.config().setAutoRead(false);
              ch.pipeline().addLast(sink);
              accepted.add(ch);
            });
    byte[] data = random(2 * MIB);
    try (LoopbackSession s = LoopbackSession.open(group, paused, Echo.INSTANCE)) {
      Sender sender = new Sender(data, 50_000);
      Channel stream = open(s.client, init(ch -> ch.pipeline().addLast(sender)));
      stream.config().setOption(ChannelOption.AUTO_READ, true);
      sender.start();
      YamuxStreamChannel receiver = (YamuxStreamChannel) accepted.poll(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> onLoop(receiver, receiver::queuedInboundBytes) == YamuxConfig.INITIAL_WINDOW);
      await().atMost(Duration.ofSeconds(5)).until(() -> !stream.isWritable());
      assertThat(onLoop(receiver, receiver::queuedInboundBytes))
          .isEqualTo(YamuxConfig.INITIAL_WINDOW);
      assertThat(sink.bytes).isZero();
      receiver.eventLoop().execute(() -> receiver.config().setAutoRead(true));
      assertThat(sink.fin.get(10, TimeUnit.SECONDS))
          .isEqualTo(MuxTestHandlers.sha256().digest(data));
    }
  }

  @Test
  void readDeliversOnlyOnRequestWithAutoReadOff() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    Collector sink = new Collector();
    ChannelHandler paused =
        init(
            ch -> {
              ch.config().setAutoRead(false);
              ch.pipeline().addLast(sink);
              accepted.add(ch);
            });
    try (LoopbackSession s = LoopbackSession.open(group, paused, Echo.INSTANCE)) {
      Channel stream = open(s.client, new Collector());
      stream.writeAndFlush(Unpooled.copiedBuffer("abc", StandardCharsets.UTF_8));
      ((DuplexChannel) stream).shutdownOutput();
      YamuxStreamChannel receiver = (YamuxStreamChannel) accepted.poll(5, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> onLoop(receiver, receiver::queuedInboundBytes) == 3);
      assertThat(sink.bytes).isZero();
      receiver.read();
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.bytes == 3);
      receiver.read();
      assertThat(sink.fin.get(5, TimeUnit.SECONDS)).isNotNull();
      assertThat(receiver.isOpen()).as("output still open after peer FIN").isTrue();
      assertThat(receiver.isInputShutdown()).isTrue();
    }
  }

  @Test
  void parentCloseClosesEveryChild() throws Exception {
    BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    try (LoopbackSession s = LoopbackSession.open(group, init(accepted::add), Echo.INSTANCE)) {
      Channel a = open(s.client, new Collector());
      Channel b = open(s.client, new Collector());
      a.writeAndFlush(Unpooled.copiedBuffer("pending", StandardCharsets.UTF_8));
      Channel ra = accepted.poll(5, TimeUnit.SECONDS);
      Channel rb = accepted.poll(5, TimeUnit.SECONDS);
      s.clientParent.close().sync();
      for (Channel ch : new Channel[] {a, b, ra, rb}) {
        assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).as(ch.toString()).isTrue();
      }
      assertThat(s.client.openStream(new Collector()).await().cause())
          .hasMessageContaining("is closed");
      assertThat(s.client.streamCount()).isZero();
    }
  }

  static <T> T onLoop(Channel ch, java.util.concurrent.Callable<T> task) throws Exception {
    return ch.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
  }
}
