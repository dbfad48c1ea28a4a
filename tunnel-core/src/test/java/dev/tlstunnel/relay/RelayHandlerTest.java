package dev.tlstunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay on embedded channels: forwarding, read pacing by writability, and closing. */
@Timeout(10)
class RelayHandlerTest {
  private EmbeddedChannel a;
  private EmbeddedChannel b;
  private int readsOnA;

  @BeforeEach
  void setUp() {
    a = new EmbeddedChannel();
    b = new EmbeddedChannel();
    a.config().setAutoRead(false);
    b.config().setAutoRead(false);
    a.pipeline()
        .addFirst(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void read(ChannelHandlerContext ctx) {
                readsOnA++;
                ctx.read();
              }
            });
    Relay.link(a, b);
  }

  @AfterEach
  void tearDown() {
    a.finishAndReleaseAll();
    b.finishAndReleaseAll();
  }

  @Test
  void forwardsBytesAndReadsOnWhileThePeerIsWritable() {
    int before = readsOnA;
    a.writeInbound(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
    ByteBuf out = b.readOutbound();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello");
    out.release();
    assertThat(readsOnA).isEqualTo(before + 1);
  }

  @Test
  void stopsReadingWhileThePeerIsNotWritableAndResumesWhenItDrains() {
    b.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8, 16));
    // Hold b's writes in its outbound buffer: an embedded channel flushes into its queue, so
    // mark it unwritable the way a full socket would.
    b.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    int before = readsOnA;
    a.writeInbound(Unpooled.copiedBuffer("0123456789abcdefghij", StandardCharsets.UTF_8));
    assertThat(readsOnA).as("no read while the peer cannot take more").isEqualTo(before);
    b.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    b.runPendingTasks();
    assertThat(readsOnA).as("the peer drained: read again").isEqualTo(before + 1);
  }

  @Test
  void endOfInputClosesThePeerWhenItCannotHalfClose() {
    a.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    b.runPendingTasks();
    assertThat(b.isOpen()).isFalse();
  }

  @Test
  void closingOneSideClosesTheOther() {
    a.close();
    b.runPendingTasks();
    assertThat(b.isOpen()).isFalse();
  }
}
