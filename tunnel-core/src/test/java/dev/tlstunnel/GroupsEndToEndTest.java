package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.HealthCheck;
import dev.tlstunnel.config.LoadBalancing;
import dev.tlstunnel.config.LoadBalancing.Strategy;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.NamedService;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load-balancing groups end to end: several clients publish one port, and the server's one listener
 * spreads its connections by the group's strategy over the members that serve.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupsEndToEndTest {
  private static final String KEY = "group-secret";

  @TempDir Path dir;
  private TunnelFixture fixture;
  private final List<NamedService> services = new ArrayList<>();
  private EventRecorder serverEvents;
  private TunnelServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    fixture = new TunnelFixture(dir);
    serverEvents = new EventRecorder();
    server = TunnelServer.builder(fixture.serverConfig()).listener(serverEvents).start();
    port = freePort();
  }

  @AfterEach
  void stop() throws IOException {
    fixture.close();
    server.close();
    for (NamedService s : services) {
      s.close();
    }
  }

  private TunnelClient member(String name, Strategy strategy, int priority, String key)
      throws Exception {
    NamedService service = new NamedService(name);
    services.add(service);
    ProxyConfig proxy =
        built(
            TunnelFixture.proxyBuilder("web-" + name, port, service.port())
                .loadBalancing(new LoadBalancing("web", key, strategy, priority)));
    return fixture.startClient(
        fixture.clientConfig(server.address().getPort(), "client-" + name, List.of(proxy)));
  }

  private TunnelClient joined(String name, Strategy strategy, int priority) throws Exception {
    TunnelClient client = member(name, strategy, priority, KEY);
    client.proxy("web-" + name).whenHealthy().get(20, TimeUnit.SECONDS);
    return client;
  }

  @Test
  void roundRobinSpreads3000ConnectionsOverThreeClientsWithinOneEach() throws Exception {
    TunnelClient clientA = joined("a", Strategy.ROUND_ROBIN, 0);
    joined("b", Strategy.ROUND_ROBIN, 0);
    joined("c", Strategy.ROUND_ROBIN, 0);
    Map<String, Integer> reached = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      reached.merge(ask(), 1, Integer::sum);
    }
    assertThat(reached.keySet()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(reached.values()).allMatch(n -> n >= 999 && n <= 1001);
    // one listener for the group
    assertThat(serverEvents.all(ServerEvent.ProxyBound.class))
        .extracting(e -> e.address().getPort())
        .containsOnly(port);
    ServerSnapshot.GroupInfo group = server.snapshot().groups().get(0);
    assertThat(group.name()).isEqualTo("web");
    assertThat(group.strategy()).isEqualTo("round_robin");
    assertThat(group.boundPort()).isEqualTo(port);
    assertThat(group.members())
        .extracting(GroupMember::clientId)
        .containsExactly("client-a", "client-b", "client-c");
    // each member's client sees the group, its members and their connections
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GroupState seen = clientA.proxy("web-a").state().group();
              assertThat(seen.name()).isEqualTo("web");
              assertThat(seen.strategy()).isEqualTo("round_robin");
              assertThat(seen.members())
                  .containsExactly(
                      new GroupMember("client-a", "web-a", true, 0, 0),
                      new GroupMember("client-b", "web-b", true, 0, 0),
                      new GroupMember("client-c", "web-c", true, 0, 0));
            });
    assertThat(clientA.status().proxies().get(0).group()).isNotNull();
  }

  @Test
  void aWrongGroupKeyIsRejectedWithTheReason() throws Exception {
    joined("a", Strategy.ROUND_ROBIN, 0);
    TunnelClient intruder = member("x", Strategy.ROUND_ROBIN, 0, "guessed");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> intruder.proxy("web-x").state().status() == ProxyStatus.REJECTED);
    assertThat(intruder.proxy("web-x").state().error())
        .isEqualTo("group_key does not match the key of group 'web'");
    TunnelClient otherStrategy = member("y", Strategy.RANDOM, 0, KEY);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> otherStrategy.proxy("web-y").state().status() == ProxyStatus.REJECTED);
    assertThat(otherStrategy.proxy("web-y").state().error())
        .isEqualTo("group 'web' uses strategy round_robin, not random");
    for (int i = 0; i < 20; i++) {
      assertThat(ask()).isEqualTo("a");
    }
  }

  @Test
  void leastConnectionsAvoidsTheMemberThatHoldsConnections() throws Exception {
    joined("a", Strategy.LEAST_CONNECTIONS, 0);
    joined("b", Strategy.LEAST_CONNECTIONS, 0);
    // a slow member: one connection stays open on it
    try (Socket held = open()) {
      String slow = readName(held);
      String other = slow.equals("a") ? "b" : "a";
      awaitActive(slow, 1);
      for (int i = 0; i < 30; i++) {
        assertThat(ask()).isEqualTo(other);
        awaitActive(other, 0);
      }
      // with one held on each, they take turns again
      try (Socket second = open()) {
        assertThat(readName(second)).isEqualTo(other);
        awaitActive(other, 1);
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          next.add(ask());
          awaitActive(other, 1);
          awaitActive(slow, 1);
        }
        assertThat(next).containsOnly("a", "b").contains("a", "b");
      }
    }
  }

  @Test
  void aMemberWhoseLocalServiceFailsItsCheckGetsNoConnections() throws Exception {
    joined("a", Strategy.ROUND_ROBIN, 0);
    // an http check of a service that does not speak HTTP fails every probe
    NamedService service = new NamedService("sick");
    services.add(service);
    ProxyConfig proxy =
        built(
            TunnelFixture.proxyBuilder("web-sick", port, service.port())
                .loadBalancing(new LoadBalancing("web", KEY, Strategy.ROUND_ROBIN, 0))
                .healthCheck(
                    HealthCheck.of(HealthCheck.Type.HTTP)
                        .withTiming(Duration.ofMillis(300), Duration.ofMillis(300))
                        .withThresholds(1, 1)));
    TunnelClient sick =
        fixture.startClient(
            fixture.clientConfig(server.address().getPort(), "client-sick", List.of(proxy)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sick.proxy("web-sick").state().status() == ProxyStatus.LOCAL_UNHEALTHY);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.snapshot().groups().get(0).members().stream()
                    .anyMatch(m -> m.proxyName().equals("web-sick") && !m.serving()));
    for (int i = 0; i < 20; i++) {
      assertThat(ask()).isEqualTo("a");
    }
  }

  @Test
  void aMemberShuttingDownGetsNoNewConnectionsWhileItsOpenOnesFinish() throws Exception {
    joined("a", Strategy.ROUND_ROBIN, 0);
    TunnelClient leaving = joined("b", Strategy.ROUND_ROBIN, 0);
    Socket held = null;
    for (int i = 0; i < 10 && held == null; i++) {
      Socket s = open();
      if (readName(s).equals("b")) {
        held = s;
      } else {
        s.close();
      }
    }
    assertThat(held).as("a connection reached b").isNotNull();
    CompletableFuture<ClientExit> exit = leaving.shutdownGracefully(Duration.ofSeconds(30));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.snapshot().groups().get(0).members().stream()
                    .anyMatch(m -> m.clientId().equals("client-b") && !m.serving()));
    for (int i = 0; i < 20; i++) {
      assertThat(ask()).isEqualTo("a");
    }
    assertThat(exit).as("b waits for its open connection").isNotDone();
    held.close();
    exit.get(20, TimeUnit.SECONDS);
  }

  @Test
  void randomReachesEveryMember() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      joined(name, Strategy.RANDOM, 0);
    }
    Map<String, Integer> reached = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      reached.merge(ask(), 1, Integer::sum);
    }
    // 100 each on average; fewer than 40 for one of them is a one in a billion draw
    assertThat(reached).containsOnlyKeys("a", "b", "c");
    assertThat(reached.values()).allMatch(n -> n >= 40);
  }

  @Test
  void failoverSendsEverythingToTheHighestPriorityThenTheNext() throws Exception {
    joined("low", Strategy.FAILOVER, 1);
    TunnelClient high = joined("high", Strategy.FAILOVER, 10);
    joined("mid", Strategy.FAILOVER, 5);
    for (int i = 0; i < 20; i++) {
      assertThat(ask()).isEqualTo("high");
    }
    high.close();
    serverEvents.awaitFirst(
        ServerEvent.ClientDisconnected.class, e -> e.clientId().equals("client-high"));
    for (int i = 0; i < 20; i++) {
      assertThat(ask()).isEqualTo("mid");
    }
  }

  @Test
  void aMemberKilledMidTrafficCostsNoNewConnectionAfterDetection() throws Exception {
    joined("a", Strategy.ROUND_ROBIN, 0);
    TunnelClient doomed = joined("b", Strategy.ROUND_ROBIN, 0);
    joined("c", Strategy.ROUND_ROBIN, 0);
    for (int i = 0; i < 30; i++) {
      ask();
    }
    Socket open = open();
    String first = readName(open);
    doomed.close();
    serverEvents.awaitFirst(
        ServerEvent.ClientDisconnected.class, e -> e.clientId().equals("client-b"));
    Map<String, Integer> reached = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      reached.merge(ask(), 1, Integer::sum);
    }
    assertThat(reached).containsOnlyKeys("a", "c");
    assertThat(reached.values()).allMatch(n -> n == 150);
    open.close();
    assertThat(first).isIn("a", "b", "c");
    // the group still has its port; the last member leaving closes it
    assertThat(server.snapshot().groups().get(0).members()).hasSize(2);
  }

  private void awaitActive(String member, int count) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                server.snapshot().groups().get(0).members().stream()
                    .filter(m -> m.clientId().equals("client-" + member))
                    .allMatch(m -> m.activeConnections() == count));
  }

  private Socket open() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Which member a new connection reaches (it must reach one). */
  private String ask() throws IOException {
    try (Socket s = open()) {
      return readName(s);
    }
  }

  private static String readName(Socket s) throws IOException {
    String line =
        new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII)).readLine();
    assertThat(line).as("a member answered").isNotNull();
    return line;
  }
}
