package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.Version;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.protocol.AuthResult;
import dev.tlstunnel.protocol.BindRetrySpec;
import dev.tlstunnel.protocol.ClientHello;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.Heartbeat;
import dev.tlstunnel.protocol.Protocol;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import dev.tlstunnel.protocol.RegisterProxies;
import dev.tlstunnel.protocol.SessionReplaced;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's control-stream handler on an embedded channel, with a stand-in session. */
@Timeout(10)
class ClientControlHandlerTest {
  private final List<String> calls = new ArrayList<>();
  private ProxyStateTracker tracker;
  private final EventLoop retryLoop = new DefaultEventLoop();
  private EmbeddedChannel control;

  @AfterEach
  void tearDown() {
    control.finishAndReleaseAll();
    retryLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    ClientConfig config =
        TunnelFixture.built(
            ClientConfig.builder()
                .server("tunnel.example", 7000)
                .authKey(TunnelFixture.KEY)
                .clientId("office-pc")
                .addProxy(
                    ProxyConfig.builder("web")
                        .publish("0.0.0.0", 8080)
                        .localPort(3000)
                        .bindRetry(
                            new BindRetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(8))))
                .addProxy(ProxyConfig.builder("ssh").publishPort(2222).localPort(22)));
    tracker =
        new ProxyStateTracker(
            config.proxies(), new ClientEvents(List.of(), Clock.systemUTC()), s -> {});
    ClientControlHandler.Session session =
        new ClientControlHandler.Session() {
          @Override
          public ProxyStateTracker tracker() {
            return tracker;
          }

          @Override
          public void connected(String serverVersion) {
            calls.add("connected " + serverVersion);
          }

          @Override
          public void authFailed(AuthResult result) {
            calls.add("refused " + result.code() + ": " + result.error());
          }

          @Override
          public void controlClosed() {
            calls.add("closed");
          }

          @Override
          public void replaced(SessionReplaced notice) {
            calls.add("replaced by " + notice.newSession());
          }
        };
    control =
        new EmbeddedChannel(
            new ClientControlHandler(
                ClientContext.of(config, Transport.nio(), YamuxConfig.defaults(), retryLoop),
                session));
  }

  @Test
  void saysHelloOnceTheStreamIsActive() {
    ClientHello hello = control.readOutbound();
    assertThat(hello.protocolVersion()).isEqualTo(Protocol.VERSION);
    assertThat(hello.authKey()).isEqualTo(TunnelFixture.KEY);
    assertThat(hello.clientId()).isEqualTo("office-pc");
    assertThat(hello.softwareVersion()).isEqualTo(Version.VERSION);
    assertThat(control.outboundMessages()).isEmpty();
  }

  @Test
  void registersEveryProxyOnceAccepted() {
    control.readOutbound();
    control.writeInbound(new AuthResult(true, null, "9.9.9"));

    assertThat(calls).containsExactly("connected 9.9.9");
    RegisterProxies register = control.readOutbound();
    assertThat(register.proxies())
        .containsExactly(
            new ProxySpec("web", "0.0.0.0", 8080, "tcp", new BindRetrySpec(5, 1000, 8000)),
            new ProxySpec("ssh", "0.0.0.0", 2222, "tcp", null));
  }

  @Test
  void aRefusalGoesToTheSessionWithItsCode() {
    control.readOutbound();
    control.writeInbound(
        new AuthResult(
            false,
            "authentication failed: invalid auth key",
            "9.9.9",
            AuthResult.INVALID_AUTH_KEY));

    assertThat(calls)
        .containsExactly("refused invalid_auth_key: authentication failed: invalid auth key");
    assertThat(control.outboundMessages()).as("nothing registered").isEmpty();
  }

  @Test
  void registrationResultsAndStatusUpdatesFeedTheTracker() {
    control.writeInbound(
        new ProxyRegistrationResult("ssh", false, "port 2222 is taken", null, null));
    control.writeInbound(
        new ProxyStatusUpdate(
            "web",
            dev.tlstunnel.protocol.ProxyStatus.UNHEALTHY,
            "Port 8080 is already in use by another process",
            2.0,
            1,
            5,
            "0.0.0.0",
            8080));

    assertThat(tracker.handle("ssh").state().status()).isEqualTo(ProxyStatus.REJECTED);
    assertThat(tracker.handle("ssh").state().error()).isEqualTo("port 2222 is taken");
    ProxyState web = tracker.handle("web").state();
    assertThat(web.status()).isEqualTo(ProxyStatus.UNHEALTHY);
    assertThat(web.retryAfter()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void answersHeartbeatsAndIgnoresRepliesAndUnknownMessages() {
    control.readOutbound();
    control.writeInbound(new Heartbeat(1234, false));
    control.writeInbound(new Heartbeat(99, true));
    control.writeInbound(new ControlMessage.Unknown("from_the_future"));

    assertThat(control.outboundMessages()).containsExactly(new Heartbeat(1234, true));
    assertThat(calls).isEmpty();
  }

  @Test
  void aReplacedNoticeGoesToTheSession() {
    control.writeInbound(new SessionReplaced("office-pc", "/203.0.113.7:5555"));
    assertThat(calls).containsExactly("replaced by /203.0.113.7:5555");
  }

  @Test
  void aClosedControlStreamEndsTheSession() {
    control.close();
    assertThat(calls).containsExactly("closed");
  }
}
