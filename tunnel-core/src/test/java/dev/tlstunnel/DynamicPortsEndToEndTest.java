package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic ports end to end: {@code publish_port = 0} gets a port from {@code allow_ports}, the same
 * one again for the same client id and proxy name after a reconnect and after a server restart
 * (leases in the state directory), and a clear rejection once the range is used up.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DynamicPortsEndToEndTest {
  @TempDir Path dir;
  private TunnelFixture fixture;
  private EchoService echo;
  private int first;
  private final List<AutoCloseable> started = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
    first = freeRange(3);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    fixture.close();
    echo.close();
  }

  private TunnelServer server(EventRecorder events) throws Exception {
    EdgeConfig edge =
        EdgeConfig.DEFAULT
            .withPorts(List.of(first + "-" + (first + 2)), 0)
            .withLeases(dir.resolve("state"), Duration.ofHours(1));
    TunnelServer server =
        TunnelServer.builder(built(fixture.serverBuilder().edge(edge))).listener(events).start();
    started.add(server);
    return server;
  }

  private TunnelClient client(TunnelServer server, EventRecorder events, String... proxies)
      throws Exception {
    List<ProxyConfig> list = new ArrayList<>();
    for (String name : proxies) {
      list.add(TunnelFixture.proxy(name, 0, echo.port()));
    }
    TunnelClient client =
        TunnelClient.builder(fixture.clientConfig(server.address().getPort(), "dyn", list))
            .listener(events)
            .start();
    started.add(client);
    return client;
  }

  private static int port(TunnelClient client, String proxy) throws Exception {
    return client.proxy(proxy).whenHealthy().get(20, TimeUnit.SECONDS).getPort();
  }

  @Test
  void aProxyGetsAPortInRangeAndKeepsItAcrossReconnectsAndServerRestarts() throws Exception {
    EventRecorder events = new EventRecorder();
    TunnelServer server = server(events);
    TunnelClient client = client(server, events, "a", "b");
    int a = port(client, "a");
    int b = port(client, "b");
    assertThat(List.of(a, b)).allMatch(p -> p >= first && p <= first + 2).doesNotHaveDuplicates();
    assertThat(client.status().proxies()).extracting(p -> p.publishPort()).containsExactly(a, b);
    ClientEvent.ProxyRegistered registered =
        events.awaitFirst(ClientEvent.ProxyRegistered.class, e -> e.proxyName().equals("b"));
    assertThat(registered).isNotNull();

    // reconnect with the proxies in the other order: each keeps its own port
    client.close();
    TunnelClient again = client(server, new EventRecorder(), "b", "a");
    assertThat(port(again, "a")).isEqualTo(a);
    assertThat(port(again, "b")).isEqualTo(b);

    // the server restarts: the leases come back from its state directory
    again.close();
    server.close();
    assertThat(Files.readString(dir.resolve("state/port-leases.json"))).contains("dyn/a", "dyn/b");
    TunnelServer restarted = server(new EventRecorder());
    TunnelClient afterRestart = client(restarted, new EventRecorder(), "b", "a");
    assertThat(port(afterRestart, "a")).isEqualTo(a);
    assertThat(port(afterRestart, "b")).isEqualTo(b);
  }

  @Test
  void anExhaustedRangeAndAPortOutsideItAreRejectedWithTheReason() throws Exception {
    EventRecorder events = new EventRecorder();
    TunnelServer server = server(events);
    List<ProxyConfig> proxies = new ArrayList<>();
    for (String name : List.of("p1", "p2", "p3", "p4")) {
      proxies.add(TunnelFixture.proxy(name, 0, echo.port()));
    }
    proxies.add(TunnelFixture.proxy("outside", first + 3, echo.port()));
    TunnelClient client =
        fixture.startClient(fixture.clientConfig(server.address().getPort(), "many", proxies));
    for (String name : List.of("p1", "p2", "p3")) {
      assertThat(port(client, name)).isBetween(first, first + 2);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.proxy("p4").state().status() == ProxyStatus.REJECTED);
    assertThat(client.proxy("p4").state().error())
        .isEqualTo(
            "no free port left in server.allow_ports ("
                + first
                + "-"
                + (first + 2)
                + "): every one is published, leased to another proxy or in use");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.proxy("outside").state().status() == ProxyStatus.REJECTED);
    assertThat(client.proxy("outside").state().error())
        .isEqualTo(
            "publish port "
                + (first + 3)
                + " is not in server.allow_ports ("
                + first
                + "-"
                + (first + 2)
                + ")");
    assertThat(events.all(ServerEvent.ProxyRejected.class)).hasSize(2);
  }

  @Test
  void maxPortsLimitsTheProxiesOfOneClient() throws Exception {
    TunnelServer server =
        fixture.startServer(
            built(fixture.serverBuilder().edge(EdgeConfig.DEFAULT.withPorts(List.of(), 1))));
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(
                server.address().getPort(),
                "limited",
                List.of(
                    TunnelFixture.proxy("one", 0, echo.port()),
                    TunnelFixture.proxy("two", 0, echo.port()))));
    port(client, "one");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.proxy("two").state().status() == ProxyStatus.REJECTED);
    assertThat(client.proxy("two").state().error())
        .isEqualTo("limit server.max_ports=1 reached for this client");
  }

  /** The first of {@code n} consecutive ports below 32768 that are free right now. */
  private static int freeRange(int n) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
      if (free(base, n + 1)) {
        return base;
      }
    }
    throw new IOException("no " + n + " consecutive free ports found");
  }

  private static boolean free(int base, int n) {
    for (int p = base; p < base + n; p++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
