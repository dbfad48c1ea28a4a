package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.protocol.AuthResult;
import dev.tlstunnel.protocol.ClientHello;
import dev.tlstunnel.protocol.Heartbeat;
import dev.tlstunnel.protocol.Protocol;
import dev.tlstunnel.protocol.VisitNonce;
import dev.tlstunnel.protocol.VisitProof;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Authentication on the control stream and the deadline on the tunnel, on embedded channels. */
@Timeout(10)
class ServerAuthHandlerTest {
  private static final String KEY = "the-right-key-0123456789";

  private ServerContext context;
  private EmbeddedChannel tunnel;
  private EmbeddedChannel control;
  private final List<Object> tunnelEvents = new ArrayList<>();

  @BeforeEach
  void setUp() {
    ServerConfig config =
        TunnelFixture.built(ServerConfig.builder().bind("127.0.0.1", 7000).authKey(KEY));
    context =
        new ServerContext(
            config,
            Transport.nio(),
            new ServerEvents(List.of(), Clock.systemUTC()),
            ImmediateEventExecutor.INSTANCE);
    tunnel =
        new EmbeddedChannel(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                tunnelEvents.add(evt);
              }
            });
    control = new EmbeddedChannel(new ServerAuthHandler(context, tunnel));
  }

  @AfterEach
  void tearDown() {
    control.finishAndReleaseAll();
    tunnel.finishAndReleaseAll();
  }

  @Test
  void rightKeyCreatesTheSessionAndSwapsInTheControlHandler() {
    control.writeInbound(new ClientHello(Protocol.VERSION, KEY, "alice", "1.0"));
    AuthResult result = control.readOutbound();
    assertThat(result.ok()).isTrue();
    assertThat(control.pipeline().get(ServerAuthHandler.class)).isNull();
    assertThat(control.pipeline().get(ServerControlHandler.class)).isNotNull();
    assertThat(tunnelEvents).containsExactly(SessionAuthenticated.INSTANCE);
    assertThat(context.sessions).extracting(ServerSession::clientId).containsExactly("alice");
    VisitNonce nonce = control.readOutbound();
    assertThat(VisitProof.isHex32(nonce.nonce())).as("a fresh nonce after auth_result").isTrue();

    control.writeInbound(new Heartbeat(1234, false));
    Heartbeat reply = control.readOutbound();
    assertThat(reply).isEqualTo(new Heartbeat(1234, true));

    tunnel.close();
    tunnel.runPendingTasks();
    assertThat(context.sessions).isEmpty();
  }

  @Test
  void wrongKeyIsRefusedAndTheTunnelCloses() {
    control.writeInbound(new ClientHello(Protocol.VERSION, "wrong-key-0123456789", "eve", "1.0"));
    AuthResult result = control.readOutbound();
    assertThat(result.ok()).isFalse();
    assertThat(result.error()).isEqualTo("authentication failed: invalid auth key");
    tunnel.runPendingTasks();
    assertThat(tunnel.isOpen()).isFalse();
    assertThat(context.sessions).isEmpty();
    assertThat(tunnelEvents).doesNotContain(SessionAuthenticated.INSTANCE);
  }

  @Test
  void otherProtocolVersionIsRefusedNamingBoth() {
    control.writeInbound(new ClientHello(99, KEY, "future", "9.0"));
    AuthResult result = control.readOutbound();
    assertThat(result.ok()).isFalse();
    assertThat(result.error())
        .isEqualTo("unsupported protocol version 99 (server speaks " + Protocol.VERSION + ")");
  }

  @Test
  void anyMessageBeforeHelloClosesTheTunnel() {
    control.writeInbound(new Heartbeat(1, false));
    assertThat(tunnel.isOpen()).isFalse();
    Object nothing = control.readOutbound();
    assertThat(nothing).isNull();
  }

  @Test
  void outOfOrderMessagesFromOneSourceAreLoggedOncePerInterval() {
    try (LogCapture logs = new LogCapture(ServerAuthHandler.class)) {
      for (int i = 0; i < 5; i++) {
        EmbeddedChannel other = new EmbeddedChannel(new ServerAuthHandler(context, tunnel));
        other.writeInbound(new Heartbeat(i, false));
        other.finishAndReleaseAll();
      }
      assertThat(logs.messages()).filteredOn(m -> m.contains("expected client_hello")).hasSize(1);
    }
  }

  @Test
  void deadlineClosesAConnectionThatNeverAuthenticates() {
    try (LogCapture logs = new LogCapture(AuthDeadlineHandler.class)) {
      EmbeddedChannel silent = new EmbeddedChannel();
      silent.freezeTime();
      silent.pipeline().addLast(new AuthDeadlineHandler(10_000));
      silent.advanceTimeBy(9_999, TimeUnit.MILLISECONDS);
      silent.runScheduledPendingTasks();
      assertThat(silent.isOpen()).isTrue();
      silent.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      silent.runScheduledPendingTasks();
      assertThat(silent.isOpen()).isFalse();
      assertThat(logs.messages())
          .containsExactly(
              "Closing connection from embedded: limit handshake_timeout=10000ms reached before"
                  + " authentication");
    }
  }

  @Test
  void deadlineHandlerLeavesOnceAuthenticated() {
    EmbeddedChannel ok = new EmbeddedChannel();
    ok.freezeTime();
    ok.pipeline().addLast(new AuthDeadlineHandler(10_000));
    ok.pipeline().fireUserEventTriggered(SessionAuthenticated.INSTANCE);
    assertThat(ok.pipeline().get(AuthDeadlineHandler.class)).isNull();
    ok.advanceTimeBy(1, TimeUnit.MINUTES);
    ok.runScheduledPendingTasks();
    assertThat(ok.isOpen()).isTrue();
    ok.finishAndReleaseAll();
  }
}
