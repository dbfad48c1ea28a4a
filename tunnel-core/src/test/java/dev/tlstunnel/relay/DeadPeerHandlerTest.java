package dev.tlstunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeadPeerHandlerTest {
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger armed = new AtomicInteger();
  private final List<Object> events = new ArrayList<>();

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline()
        .addLast(
            new DeadPeerHandler(
                Duration.ofMillis(100),
                Duration.ofMillis(300),
                c -> pings.incrementAndGet(),
                () -> "test",
                armed),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
              }
            });
    return ch;
  }

  private static void advance(EmbeddedChannel ch, long millis) {
    for (long t = 0; t < millis; t += 10) {
      ch.advanceTimeBy(10, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
    }
  }

  @Test
  void pingsEveryIntervalAndClosesAfterTimeoutOfSilence() {
    EmbeddedChannel ch = channel();
    assertThat(armed).hasValue(1);
    advance(ch, 290);
    assertThat(pings).hasValue(2);
    assertThat(ch.isOpen()).isTrue();
    advance(ch, 20);
    assertThat(ch.isOpen()).isFalse();
    assertThat(events).singleElement().isInstanceOf(DeadPeerHandler.PeerSilent.class);
    assertThat(((DeadPeerHandler.PeerSilent) events.get(0)).silentMillis()).isEqualTo(300);
    assertThat(armed).hasValue(0);
  }

  @Test
  void anyInboundDataKeepsTheConnection() {
    EmbeddedChannel ch = channel();
    for (int i = 0; i < 10; i++) {
      advance(ch, 200);
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
      assertThat(ch.<Object>readInbound()).isNotNull();
    }
    assertThat(ch.isOpen()).isTrue();
    advance(ch, 300);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void closingCancelsTheTimers() {
    EmbeddedChannel ch = channel();
    ch.close();
    assertThat(armed).hasValue(0);
    advance(ch, 1000);
    assertThat(pings).hasValue(0);
    assertThat(events).isEmpty();
  }
}
