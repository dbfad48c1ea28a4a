package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session-level protocol rules, driven frame by frame through an {@link EmbeddedChannel}. */
@Timeout(10)
@ExtendWith(LeakDetectorExtension.class)
class YamuxProtocolErrorTest {
  private final List<Channel> accepted = new ArrayList<>();

  private EmbeddedChannel session(boolean client, int maxStreams) {
    EmbeddedChannel ch = new EmbeddedChannel();
    YamuxMultiplexHandler.addTo(
        ch.pipeline(),
        new YamuxConfig(1024 * 1024, 16384, maxStreams),
        client,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel c) {
            c.config().setAutoRead(false);
            accepted.add(c);
          }
        });
    assertThat(drain(ch)).as("no ping before there is data").isEmpty();
    return ch;
  }

  private static ByteBuf frame(int type, int flags, int id, int length, int payload) {
    ByteBuf b = Unpooled.buffer(12 + payload);
    b.writeByte(0).writeByte(type).writeShort(flags).writeInt(id).writeInt(length);
    b.writeZero(payload);
    return b;
  }

  private static ByteBuf data(int flags, int id, int size) {
    return frame(YamuxFrame.TYPE_DATA, flags, id, size, size);
  }

  /** Every frame the session wrote, as strings. */
  private static List<String> drain(EmbeddedChannel ch) {
    EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameDecoder(1 << 24));
    Object out;
    while ((out = ch.readOutbound()) != null) {
      decoder.writeInbound(out);
    }
    List<String> frames = new ArrayList<>();
    YamuxFrame f;
    while ((f = decoder.readInbound()) != null) {
      frames.add(f.toString());
      f.release();
    }
    decoder.finishAndReleaseAll();
    return frames;
  }

  private static String goAwayProtocolError() {
    return YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR).toString();
  }

  @Test
  void synWithWrongParityIsAProtocolError() {
    EmbeddedChannel ch = session(true, 10);
    ByteBuf syn = data(YamuxFrame.FLAG_SYN, 1, 3);
    ch.writeInbound(syn);
    assertThat(drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
    assertThat(syn.refCnt()).isZero();
  }

  @Test
  void duplicateSynIsAProtocolError() {
    EmbeddedChannel ch = session(true, 10);
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(drain(ch))
        .containsExactly(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString());
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
    assertThat(accepted).hasSize(1);
    assertThat(accepted.get(0).isOpen()).as("children close with the session").isFalse();
  }

  @Test
  void exceedingTheReceiveWindowIsAProtocolError() {
    EmbeddedChannel ch = session(false, 10);
    ByteBuf first = data(YamuxFrame.FLAG_SYN, 1, YamuxConfig.INITIAL_WINDOW);
    ByteBuf oneMore = data(0, 1, 1);
    ch.writeInbound(first);
    assertThat(((YamuxStreamChannel) accepted.get(0)).queuedInboundBytes())
        .isEqualTo(YamuxConfig.INITIAL_WINDOW);
    ch.writeInbound(oneMore);
    assertThat(drain(ch)).endsWith(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
    assertThat(first.refCnt()).isZero();
    assertThat(oneMore.refCnt()).isZero();
  }

  @Test
  void dataForUnknownStreamsIsReleasedAndIgnored() {
    EmbeddedChannel ch = session(true, 10);
    ByteBuf stray = data(0, 4, 100);
    ch.writeInbound(stray);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 6, 10, 0));
    assertThat(stray.refCnt()).isZero();
    assertThat(drain(ch)).isEmpty();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void synBeyondTheStreamLimitResetsOnlyThatStream() {
    EmbeddedChannel ch = session(true, 1);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    ByteBuf excess = data(YamuxFrame.FLAG_SYN, 4, 10);
    ch.writeInbound(excess);
    assertThat(drain(ch))
        .containsExactly(
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString(),
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, 4, 0).toString());
    assertThat(excess.refCnt()).isZero();
    assertThat(ch.isOpen()).isTrue();
    assertThat(YamuxMultiplexHandler.get(ch).streamCount()).isEqualTo(1);
    ch.finishAndReleaseAll();
  }

  @Test
  void malformedFrameSendsGoAwayAndCloses() {
    EmbeddedChannel ch = session(true, 10);
    ch.writeInbound(frame(7, 0, 0, 0, 0));
    assertThat(drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void goAwayWithErrorFromPeerClosesTheSession() {
    EmbeddedChannel ch = session(true, 10);
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(drain(ch))
        .containsExactly(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString());
    ch.writeInbound(frame(YamuxFrame.TYPE_GO_AWAY, 0, 0, YamuxFrame.GO_AWAY_INTERNAL_ERROR, 0));
    assertThat(ch.isOpen()).isFalse();
    assertThat(accepted).hasSize(1);
    assertThat(accepted.get(0).isOpen()).as("children close with the session").isFalse();
    assertThat(session.streamCount()).isZero();
  }

  @Test
  void answersPings() {
    EmbeddedChannel ch = session(false, 10);
    ch.writeInbound(frame(YamuxFrame.TYPE_PING, YamuxFrame.FLAG_SYN, 0, 77, 0));
    assertThat(drain(ch)).containsExactly(YamuxFrame.ping(YamuxFrame.FLAG_ACK, 77).toString());
    ch.finishAndReleaseAll();
  }
}
