package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.LogCapture;
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
import org.slf4j.helpers.MessageFormatter;

/** Session-level protocol rules, driven frame by frame through an {@link EmbeddedChannel}. */
@Timeout(10)
@ExtendWith(LeakDetectorExtension.class)
class YamuxProtocolErrorTest {
  private final List<Channel> accepted = new ArrayList<>();

  private final List<String> limitLines = new ArrayList<>();

  private EmbeddedChannel session(boolean client, int maxStreams) {
    EmbeddedChannel ch = new EmbeddedChannel();
    YamuxMultiplexHandler.addTo(
        ch.pipeline(),
        new YamuxConfig(
            1024 * 1024,
            16384,
            maxStreams,
            new YamuxConfig.LimitNames("window_key", "streams_key")),
        (log, tunnel, bound, format, args) ->
            limitLines.add(bound + ": " + MessageFormatter.arrayFormat(format, args).getMessage()),
        client,
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel c) {
            c.config().setAutoRead(false);
            accepted.add(c);
          }
        });
    assertThat(WrittenFrames.drain(ch)).as("no ping before there is data").isEmpty();
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

  private static String goAwayProtocolError() {
    return YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR).toString();
  }

  @Test
  void synWithWrongParityIsAProtocolError() {
    EmbeddedChannel ch = session(true, 10);
    ByteBuf syn = data(YamuxFrame.FLAG_SYN, 1, 3);
    ch.writeInbound(syn);
    assertThat(WrittenFrames.drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
    assertThat(syn.refCnt()).isZero();
  }

  @Test
  void duplicateSynIsAProtocolError() {
    EmbeddedChannel ch = session(true, 10);
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString());
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(WrittenFrames.drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
    assertThat(accepted).hasSize(1);
    assertThat(accepted.get(0).isOpen()).as("children close with the session").isFalse();
  }

  @Test
  void exceedingTheReceiveWindowIsAProtocolErrorNamingTheBound() {
    try (LogCapture log = new LogCapture(YamuxMultiplexHandler.class)) {
      EmbeddedChannel ch = session(false, 10);
      ByteBuf first = data(YamuxFrame.FLAG_SYN, 1, YamuxConfig.INITIAL_WINDOW);
      ByteBuf oneMore = data(0, 1, 1);
      ch.writeInbound(first);
      assertThat(((YamuxStreamChannel) accepted.get(0)).queuedInboundBytes())
          .isEqualTo(YamuxConfig.INITIAL_WINDOW);
      ch.writeInbound(oneMore);
      assertThat(WrittenFrames.drain(ch)).endsWith(goAwayProtocolError());
      assertThat(ch.isOpen()).isFalse();
      assertThat(first.refCnt()).isZero();
      assertThat(oneMore.refCnt()).isZero();
      assertThat(log.messages())
          .singleElement()
          .asString()
          .endsWith(
              "protocol error: stream 1 sent 1 bytes with 0 left in its receive window"
                  + " (limit window_key=1048576); closing session");
    }
  }

  @Test
  void dataFrameAboveTheLargestWindowIsAProtocolErrorNamingTheBound() {
    try (LogCapture log = new LogCapture(YamuxMultiplexHandler.class)) {
      EmbeddedChannel ch = session(false, 10);
      ch.writeInbound(frame(YamuxFrame.TYPE_DATA, YamuxFrame.FLAG_SYN, 1, 1024 * 1024 + 1, 0));
      assertThat(WrittenFrames.drain(ch)).containsExactly(goAwayProtocolError());
      assertThat(ch.isOpen()).isFalse();
      assertThat(log.messages())
          .singleElement()
          .asString()
          .endsWith(
              "yamux data frame of 1048577 bytes on stream 1 exceeds limit"
                  + " window_key=1048576; closing session");
    }
  }

  @Test
  void dataForUnknownStreamsIsReleasedAndIgnored() {
    EmbeddedChannel ch = session(true, 10);
    ByteBuf stray = data(0, 4, 100);
    ch.writeInbound(stray);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 6, 10, 0));
    assertThat(stray.refCnt()).isZero();
    assertThat(WrittenFrames.drain(ch)).isEmpty();
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void synBeyondTheStreamLimitResetsOnlyThatStream() {
    EmbeddedChannel ch = session(true, 1);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    ByteBuf excess = data(YamuxFrame.FLAG_SYN, 4, 10);
    ch.writeInbound(excess);
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString(),
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, 4, 0).toString());
    assertThat(excess.refCnt()).isZero();
    assertThat(ch.isOpen()).isTrue();
    assertThat(YamuxMultiplexHandler.get(ch).streamCount()).isEqualTo(1);
    assertThat(limitLines)
        .singleElement()
        .asString()
        .startsWith("streams_key: [yamux ")
        .endsWith(
            "limit streams_key=1 reached (1 open, 0 closed here awaiting the peer's FIN);"
                + " refusing stream 4 opened by the peer (RST)");
    ch.finishAndReleaseAll();
  }

  @Test
  void streamsClosedHereCountTowardsTheLimitUntilThePeerEndsThem() {
    EmbeddedChannel ch = session(true, 2);
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    accepted.get(0).close();
    ch.runPendingTasks();
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 2, 0).toString(),
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_FIN, 2, 0).toString());
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 4, 0, 0));
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 6, 0, 0));
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 4, 0).toString(),
            YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, 6, 0).toString());
    assertThat(limitLines)
        .singleElement()
        .asString()
        .contains("limit streams_key=2 reached (1 open, 1 closed here awaiting the peer's FIN)");
    assertThat(
            session
                .openStream(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel c) {}
                    })
                .cause())
        .hasMessageContaining("limit streams_key=2 reached");

    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_FIN, 2, 0, 0));
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 8, 0, 0));
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, 8, 0).toString());
    assertThat(session.streamCount()).isEqualTo(2);
    ch.finishAndReleaseAll();
  }

  @Test
  void malformedFrameSendsGoAwayAndCloses() {
    EmbeddedChannel ch = session(true, 10);
    ch.writeInbound(frame(7, 0, 0, 0, 0));
    assertThat(WrittenFrames.drain(ch)).containsExactly(goAwayProtocolError());
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void goAwayWithErrorFromPeerClosesTheSession() {
    EmbeddedChannel ch = session(true, 10);
    YamuxMultiplexHandler session = YamuxMultiplexHandler.get(ch);
    ch.writeInbound(frame(YamuxFrame.TYPE_WINDOW_UPDATE, YamuxFrame.FLAG_SYN, 2, 0, 0));
    assertThat(WrittenFrames.drain(ch))
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
    assertThat(WrittenFrames.drain(ch))
        .containsExactly(YamuxFrame.ping(YamuxFrame.FLAG_ACK, 77).toString());
    ch.finishAndReleaseAll();
  }
}
