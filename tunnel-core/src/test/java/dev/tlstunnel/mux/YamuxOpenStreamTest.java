package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the SYN of a locally opened stream leaves: with the stream's first data, or on its own. */
@Timeout(10)
@ExtendWith(LeakDetectorExtension.class)
class YamuxOpenStreamTest {

  /** Counts the flushes that reach the tunnel channel. */
  @Sharable
  private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
    int flushes;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      ctx.flush();
    }
  }

  private final FlushCounter counter = new FlushCounter();

  private EmbeddedChannel serverSession() {
    EmbeddedChannel ch = new EmbeddedChannel();
    YamuxMultiplexHandler.addTo(
        ch.pipeline(),
        new YamuxConfig(1024 * 1024, 16384, 16),
        false,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel c) {}
        });
    ch.pipeline().addFirst(counter);
    ch.runPendingTasks();
    counter.flushes = 0;
    return ch;
  }

  private static Channel open(Channel ch) {
    Future<Channel> opened =
        YamuxMultiplexHandler.get(ch)
            .openStream(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.config().setAutoRead(false);
                  }
                });
    assertThat(opened.isSuccess()).as("completes at once on the event loop").isTrue();
    return opened.getNow();
  }

  /**
   * On a real event loop (an embedded channel runs queued tasks inside every write): a stream
   * opened and written to in one task reaches the tunnel with one flush, SYN first.
   */
  @Test
  void synLeavesWithTheFirstDataInOneFlush() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress(YamuxOpenStreamTest.class);
    List<Object> frames = new CopyOnWriteArrayList<>();
    try {
      Channel sink =
          new ServerBootstrap()
              .group(group)
              .channel(LocalServerChannel.class)
              .childHandler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      frames.add(msg);
                    }
                  })
              .bind(address)
              .sync()
              .channel();
      Channel tunnel =
          new Bootstrap()
              .group(group)
              .channel(LocalChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      YamuxMultiplexHandler.addTo(
                          ch.pipeline(),
                          new YamuxConfig(1024 * 1024, 16384, 16),
                          false,
                          new ChannelInboundHandlerAdapter());
                      ch.pipeline().addFirst(counter);
                    }
                  })
              .connect(address)
              .sync()
              .channel();
      int flushesInTask =
          tunnel
              .eventLoop()
              .submit(
                  () -> {
                    int before = counter.flushes;
                    Channel stream = open(tunnel);
                    stream.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
                    return counter.flushes - before;
                  })
              .get(5, TimeUnit.SECONDS);
      assertThat(flushesInTask).isEqualTo(1);
      tunnel.close().sync();
      sink.close().sync();
    } finally {
      Transport.shutdown(group, 1).sync();
      frames.forEach(ReferenceCountUtil::release);
    }
  }

  @Test
  void synOfAStreamNobodyWritesToLeavesOnItsOwn() {
    EmbeddedChannel ch = serverSession();
    open(ch);
    assertThat(WrittenFrames.drain(ch)).isEmpty();

    ch.runPendingTasks();

    assertThat(WrittenFrames.drain(ch))
        .containsExactly(YamuxFrame.windowUpdate(YamuxFrame.FLAG_SYN, 2, 0).toString());
    assertThat(counter.flushes).isEqualTo(1);
    ch.finishAndReleaseAll();
  }
}
