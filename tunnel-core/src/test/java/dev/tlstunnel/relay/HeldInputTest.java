package dev.tlstunnel.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetectorExtension.class)
@Timeout(10)
class HeldInputTest {

  @Test
  void heldBytesGoToThePeerFirstThenTheRelayTakesOver() {
    EmbeddedChannel ch = new EmbeddedChannel(new HeldInput());
    EmbeddedChannel peer = new EmbeddedChannel();
    ch.writeInbound(Unpooled.copiedBuffer("one ", UTF_8), Unpooled.copiedBuffer("two ", UTF_8));
    Object nothing = peer.readOutbound();
    assertThat(nothing).isNull();
    HeldInput.relay(ch, peer);
    assertThat(ch.pipeline().get(HeldInput.class)).isNull();
    ch.writeInbound(Unpooled.copiedBuffer("three", UTF_8));
    StringBuilder got = new StringBuilder();
    ByteBuf b;
    while ((b = peer.readOutbound()) != null) {
      got.append(b.toString(UTF_8));
      b.release();
    }
    assertThat(got).hasToString("one two three");
    ch.finishAndReleaseAll();
    peer.finishAndReleaseAll();
  }

  @Test
  void anEndOfInputSeenWhileHoldingReachesTheRelayAfterTheBytes() {
    List<Object> events = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(new HeldInput());
    EmbeddedChannel peer = new EmbeddedChannel();
    ch.writeInbound(Unpooled.copiedBuffer("last", UTF_8));
    ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    ch.pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
                ctx.fireUserEventTriggered(evt);
              }
            });
    assertThat(events).isEmpty();
    HeldInput.relay(ch, peer);
    ByteBuf b = peer.readOutbound();
    assertThat(b.toString(UTF_8)).isEqualTo("last");
    b.release();
    assertThat(events).containsExactly(ChannelInputShutdownEvent.INSTANCE);
    // EmbeddedChannel is no DuplexChannel: the relay ends the peer by closing it after its writes.
    peer.runPendingTasks();
    assertThat(peer.isOpen()).isFalse();
    ch.finishAndReleaseAll();
    peer.finishAndReleaseAll();
  }

  @Test
  void whatIsHeldIsReleasedWhenTheChannelClosesFirst() {
    EmbeddedChannel ch = new EmbeddedChannel(new HeldInput());
    ByteBuf held = Unpooled.copiedBuffer("never relayed", UTF_8);
    ch.writeInbound(held);
    ch.close();
    assertThat(held.refCnt()).isZero();
  }
}
