package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.protocol.StreamHeader;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handler that connects a server-opened stream to its local service, on embedded channels: the
 * stream is one embedded channel, each local connection another, handed out by a stand-in dialer.
 */
@Timeout(10)
class LocalConnectHandlerTest {
  private static final StreamHeader WEB = new StreamHeader("web", "203.0.113.9", 51000);

  /** What the dialer answers, in order: a local channel, or null for a refused connect. */
  private final Deque<EmbeddedChannel> answers = new LinkedList<>();

  private final List<String> dialed = new ArrayList<>();
  private final List<EmbeddedChannel> locals = new ArrayList<>();
  private EmbeddedChannel stream;

  private EmbeddedChannel stream(int retries) {
    ClientConfig config =
        TunnelFixture.built(
            ClientConfig.builder()
                .server("h", 7000)
                .authKey(TunnelFixture.KEY)
                .clientId("c1")
                .localConnect(retries, Duration.ofMillis(100), Duration.ofSeconds(1))
                .addProxy(ProxyConfig.builder("web").publishPort(8080).local("127.0.0.1", 3000)));
    LocalDialer dialer =
        (ch, proxy) -> {
          dialed.add(proxy.localAddr() + ":" + proxy.localPort());
          EmbeddedChannel local = answers.poll();
          if (local == null) {
            return ch.newFailedFuture(new ConnectException("Connection refused"));
          }
          locals.add(local);
          local.config().setOption(ChannelOption.AUTO_READ, false);
          return local.newSucceededFuture();
        };
    stream = new EmbeddedChannel();
    stream.freezeTime();
    stream.config().setOption(ChannelOption.AUTO_READ, false);
    stream
        .pipeline()
        .addLast(
            new LocalConnectHandler(
                ClientContext.of(
                    config, Transport.nio(), YamuxConfig.defaults(), stream.eventLoop(), dialer)));
    return stream;
  }

  @AfterEach
  void tearDown() {
    stream.finishAndReleaseAll();
    locals.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  @Test
  void bytesThatArriveBeforeTheLocalConnectionAreWrittenFirstThenTheRelayTakesOver() {
    EmbeddedChannel local = new EmbeddedChannel();
    answers.add(local);
    stream(0);
    stream.writeInbound(WEB, text("early "), text("bytes"));

    assertThat(dialed).containsExactly("127.0.0.1:3000");
    assertThat(readAll(local)).isEqualTo("early bytes");
    stream.writeInbound(text(" then more"));
    assertThat(readAll(local)).isEqualTo(" then more");
    local.writeInbound(text("answer"));
    assertThat(readAll(stream)).isEqualTo("answer");
    assertThat(stream.pipeline().get(LocalConnectHandler.class)).isNull();
  }

  @Test
  void aRefusedConnectIsRetriedAfterTheDelayThenSucceeds() {
    EmbeddedChannel local = new EmbeddedChannel();
    answers.add(null);
    answers.add(null);
    answers.add(local);
    stream(3);
    stream.writeInbound(WEB, text("hello"));
    assertThat(dialed).hasSize(1);
    stream.advanceTimeBy(99, TimeUnit.MILLISECONDS);
    stream.runScheduledPendingTasks();
    assertThat(dialed).as("not before the retry delay").hasSize(1);
    stream.advanceTimeBy(1, TimeUnit.MILLISECONDS);
    stream.runScheduledPendingTasks();
    stream.advanceTimeBy(100, TimeUnit.MILLISECONDS);
    stream.runScheduledPendingTasks();
    assertThat(dialed).hasSize(3);
    assertThat(readAll(local)).isEqualTo("hello");
    assertThat(stream.isActive()).isTrue();
  }

  @Test
  void whenEveryAttemptFailsTheStreamIsClosedAndHeldBytesAreReleased() {
    ByteBuf held = text("never delivered");
    try (LogCapture logs = new LogCapture(LocalConnectHandler.class)) {
      stream(1);
      stream.writeInbound(WEB, held);
      stream.advanceTimeBy(100, TimeUnit.MILLISECONDS);
      stream.runScheduledPendingTasks();
      stream.runPendingTasks();

      assertThat(dialed).hasSize(2);
      assertThat(stream.isOpen()).isFalse();
      assertThat(held.refCnt()).isZero();
      assertThat(logs.warnings("cannot connect to local service 127.0.0.1:3000"))
          .singleElement()
          .asString()
          .contains("for 203.0.113.9:51000 after 2 attempts: Connection refused");
    }
  }

  @Test
  void aStreamForAnUnknownProxyIsClosedWithoutDialing() {
    try (LogCapture logs = new LogCapture(LocalConnectHandler.class)) {
      stream(0);
      stream.writeInbound(new StreamHeader("ghost", "203.0.113.9", 1));
      assertThat(stream.isOpen()).isFalse();
      assertThat(dialed).isEmpty();
      assertThat(logs.warnings("unknown proxy 'ghost'")).hasSize(1);
    }
  }

  @Test
  void bytesBeforeTheHeaderCloseTheStream() {
    stream(0);
    ByteBuf stray = text("no header");
    stream.writeInbound(stray);
    assertThat(stream.isOpen()).isFalse();
    assertThat(stray.refCnt()).isZero();
    assertThat(dialed).isEmpty();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private static String readAll(EmbeddedChannel ch) {
    StringBuilder text = new StringBuilder();
    for (Object msg; (msg = ch.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) msg;
      text.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return text.toString();
  }
}
