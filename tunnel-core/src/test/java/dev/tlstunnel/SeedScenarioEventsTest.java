package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.FakeTime;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario as listeners see it, with the server on fake time: three proxies, the second
 * one's port held by another process; it retries (30 s, then 60 s of fake time, which would take 90
 * s of real time), the port is freed, the next attempt binds and it serves.
 */
@Timeout(60)
class SeedScenarioEventsTest {
  @TempDir Path dir;

  @Test
  void listenersHearTheRetriesAndTheRecoveryInOrder() throws Exception {
    EventRecorder serverEvents = new EventRecorder();
    EventRecorder clientEvents = new EventRecorder();
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try (TunnelFixture fixture = new TunnelFixture(dir);
        FakeTime time = new FakeTime(1);
        EchoService echo = new EchoService()) {
      int held = squatter.getLocalPort();
      TunnelServer server =
          TunnelServer.builder(
                  built(
                      fixture
                          .serverBuilder()
                          .bindRetry(
                              new BindRetryPolicy(
                                  10, Duration.ofSeconds(30), Duration.ofMinutes(5)))
                          .keepAlive(new KeepAlive(Duration.ofHours(1), Duration.ofHours(2)))))
              .eventLoopGroup(time.group())
              .listener(serverEvents)
              .start();
      try (server;
          TunnelClient client =
              TunnelClient.builder(
                      fixture.clientConfig(
                          server.address().getPort(),
                          "seed",
                          List.of(
                              proxy("proxy1", 0, echo.port()),
                              proxy("proxy2", held, echo.port()),
                              proxy("proxy3", 0, echo.port()))))
                  .listener(clientEvents)
                  .start()) {
        ServerEvent.BindRetryScheduled first =
            serverEvents.awaitFirst(ServerEvent.BindRetryScheduled.class, e -> true);
        assertThat(first.proxyName()).isEqualTo("proxy2");
        assertThat(first.clientId()).isEqualTo("seed");
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.maxRetries()).isEqualTo(10);
        assertThat(first.delay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(first.cause()).isEqualTo(FailureKind.PORT_IN_USE);
        assertThat(first.message())
            .isEqualTo("Port " + held + " is already in use by another process");
        ServerEvent.ProxyBound p1 = bound(serverEvents, "proxy1");
        ServerEvent.ProxyBound p3 = bound(serverEvents, "proxy3");
        assertThat(p1.retries()).isZero();
        assertThat(p3.retries()).isZero();

        time.advance(Duration.ofSeconds(30));
        ServerEvent.BindRetryScheduled second =
            serverEvents.awaitFirst(ServerEvent.BindRetryScheduled.class, e -> e.attempt() == 2);
        assertThat(second.delay()).isEqualTo(Duration.ofSeconds(60));
        squatter.close();
        time.advance(Duration.ofSeconds(60));
        ServerEvent.ProxyBound p2 = bound(serverEvents, "proxy2");
        assertThat(p2.retries()).isEqualTo(2);
        assertThat(p2.address().getPort()).isEqualTo(held);
        assertThat(Duration.between(first.time(), p2.time()))
            .as("event times follow the fake clock")
            .isGreaterThanOrEqualTo(Duration.ofSeconds(90));

        InetSocketAddress healthy = client.proxy("proxy2").whenHealthy().get(10, TimeUnit.SECONDS);
        assertThat(healthy.getPort()).isEqualTo(held);
        assertThat(Streams.echoes(held)).isTrue();

        assertThat(
                serverEvents.all().stream()
                    .filter(e -> proxy2(e))
                    .map(e -> e.getClass().getSimpleName())
                    .toList())
            .containsExactly("BindRetryScheduled", "BindRetryScheduled", "ProxyBound");
        assertThat(serverEvents.all().get(0)).isInstanceOf(ServerEvent.Started.class);
        assertThat(serverEvents.all().get(1)).isInstanceOf(ServerEvent.ClientConnected.class);

        clientEvents.awaitFirst(
            ClientEvent.ProxyStatusChanged.class,
            e ->
                e.current().name().equals("proxy2") && e.current().status() == ProxyStatus.HEALTHY);
        List<ProxyState> proxy2States =
            clientEvents.all(ClientEvent.ProxyStatusChanged.class).stream()
                .map(ClientEvent.ProxyStatusChanged::current)
                .filter(s -> s.name().equals("proxy2"))
                .toList();
        assertThat(proxy2States)
            .extracting(ProxyState::status, ProxyState::attempt, ProxyState::retryAfter)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(
                    ProxyStatus.UNHEALTHY, 1, Duration.ofSeconds(30)),
                org.assertj.core.groups.Tuple.tuple(
                    ProxyStatus.UNHEALTHY, 2, Duration.ofSeconds(60)),
                org.assertj.core.groups.Tuple.tuple(ProxyStatus.HEALTHY, 3, null));
        List<String> order =
            clientEvents.all().stream().map(e -> e.getClass().getSimpleName()).distinct().toList();
        assertThat(order)
            .startsWith("Connecting", "Connected", "ProxyRegistered", "ProxyStatusChanged");
      }
    } finally {
      squatter.close();
    }
  }

  private static ServerEvent.ProxyBound bound(EventRecorder events, String proxy) {
    return events.awaitFirst(ServerEvent.ProxyBound.class, e -> e.proxyName().equals(proxy));
  }

  private static boolean proxy2(Object event) {
    return (event instanceof ServerEvent.BindRetryScheduled r && r.proxyName().equals("proxy2"))
        || (event instanceof ServerEvent.ProxyBound b && b.proxyName().equals("proxy2"));
  }
}
