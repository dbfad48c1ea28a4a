package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Change;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.ReloadResult.Step;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running client's proxies changed by a reload over its session: added, removed and moved proxies
 * while a transfer runs through an untouched one, and a reload the server rejects in part, undone
 * as a whole.
 */
@Timeout(90)
class ClientReloadEndToEndTest extends EchoTunnelTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void proxiesAddedRemovedAndMovedWhileA64MibTransferRunsThroughAnUntouchedProxy()
      throws Exception {
    TunnelServer server = fixture.startServer();
    int keep = freePort();
    int gone = freePort();
    int movedFrom = freePort();
    ClientConfig before =
        config(
            server,
            List.of(
                proxy("keep", keep, echo.port()),
                proxy("gone", gone, echo.port()),
                proxy("moved", movedFrom, echo.port())));
    EventRecorder events = new EventRecorder();
    TunnelClient client = start(before, events);
    for (String name : List.of("keep", "gone", "moved")) {
      client.proxy(name).whenHealthy().get(10, TimeUnit.SECONDS);
    }
    int connects = events.all(ClientEvent.Connected.class).size();
    int drops = events.all(ClientEvent.Disconnected.class).size();
    int movedTo = freePort();
    int added = freePort();
    ClientConfig after =
        config(
            server,
            List.of(
                proxy("keep", keep, echo.port()),
                proxy("moved", movedTo, echo.port()),
                proxy("added", added, echo.port())));

    try (Socket transfer = Streams.connect(keep, 30_000)) {
      CompletableFuture<Streams.Digest> back =
          CompletableFuture.supplyAsync(() -> readAll(transfer));
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      Random random = new Random(17);
      long started = System.nanoTime();
      write(transfer.getOutputStream(), random, sent, 8 * MIB);

      long reloadStarted = System.nanoTime();
      ReloadResult result = client.reload(after).get(20, TimeUnit.SECONDS);
      long reloadNanos = System.nanoTime() - reloadStarted;

      write(transfer.getOutputStream(), random, sent, 56 * MIB);
      transfer.shutdownOutput();
      Streams.Digest digest = back.get(60, TimeUnit.SECONDS);
      System.out.printf(
          "reload: 3 proxy changes applied over the session in %.1f ms while 64 MiB went through"
              + " an untouched proxy in %.2f s (load average %s)%n",
          reloadNanos / 1e6, (System.nanoTime() - started) / 1e9, loadAverage());
      assertThat(digest.length()).isEqualTo(64 * MIB);
      assertThat(digest.sha256()).isEqualTo(sent.digest());

      assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(result.changes())
          .extracting(Change::name, Change::action, Change::step)
          .containsExactly(
              tuple("keep", Action.UNCHANGED, Step.PLANNED),
              tuple("moved", Action.RESTART, Step.APPLIED),
              tuple("added", Action.ADD, Step.APPLIED),
              tuple("gone", Action.REMOVE, Step.APPLIED));
      assertThat(change(result, "moved").detail())
          .startsWith("publish 127.0.0.1:" + movedFrom + " -> 127.0.0.1:" + movedTo);
    }
    client.proxy("added").whenHealthy().get(10, TimeUnit.SECONDS);
    client.proxy("moved").whenHealthy().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(added));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(movedTo));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.refuses(gone));
    assertThat(Streams.refuses(movedFrom)).isTrue();
    assertThat(Streams.echoes(keep)).isTrue();
    assertThatThrownBy(() -> client.proxy("gone")).isInstanceOf(IllegalArgumentException.class);
    assertThat(client.config()).isEqualTo(after);
    assertThat(events.all(ClientEvent.Connected.class)).as("no reconnect").hasSize(connects);
    assertThat(events.all(ClientEvent.Disconnected.class)).hasSize(drops);
    assertThat(events.all(ClientEvent.Reloaded.class))
        .singleElement()
        .satisfies(e -> assertThat(e.result().outcome()).isEqualTo(Outcome.APPLIED));
    assertThat(server.snapshot().sessions()).hasSize(1);
  }

  @Test
  void aProxyTheServerRejectsUndoesTheWholeReload() throws Exception {
    TunnelServer server = fixture.startServer();
    int takenPort = freePort();
    TunnelClient other =
        start(
            fast(
                fixture.clientConfig(
                    server.address().getPort(),
                    "other",
                    List.of(proxy("other", takenPort, echo.port())))),
            new EventRecorder());
    other.proxy("other").whenHealthy().get(10, TimeUnit.SECONDS);
    int webPort = freePort();
    ClientConfig before = config(server, List.of(proxy("web", webPort, echo.port())));
    EventRecorder events = new EventRecorder();
    TunnelClient client = start(before, events);
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    int webMoved = freePort();
    int apiPort = freePort();
    ClientConfig after =
        config(
            server,
            List.of(
                proxy("web", webMoved, echo.port()),
                proxy("api", apiPort, echo.port()),
                proxy("clash", takenPort, echo.port())));

    try (Socket open = Streams.connect(webPort, 10_000)) {
      assertThat(Streams.echoesExactly(open, 1, 4096)).isTrue();

      ReloadResult result = client.reload(after).get(20, TimeUnit.SECONDS);

      assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(result.message())
          .startsWith("the server refused clash: ")
          .endsWith("; what it had accepted was undone, the previous configuration stays");
      assertThat(result.changes())
          .extracting(Change::name, Change::action, Change::step)
          .containsExactly(
              tuple("web", Action.RESTART, Step.UNDONE),
              tuple("api", Action.ADD, Step.UNDONE),
              tuple("clash", Action.ADD, Step.FAILED));
      assertThat(change(result, "clash").detail()).startsWith("rejected by the server: ");
      assertThat(Streams.echoesExactly(open, 2, 4096)).as("open connection goes on").isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(webPort));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.refuses(apiPort));
    assertThat(Streams.refuses(webMoved)).isTrue();
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> client.proxy("api")).isInstanceOf(IllegalArgumentException.class);
    assertThat(client.config()).isEqualTo(before);
    assertThat(events.all(ClientEvent.Disconnected.class)).isEmpty();
  }

  @Test
  void aChangeThatCannotBeMadeWhileRunningRefusesTheReloadNamingTheKey() throws Exception {
    TunnelServer server = fixture.startServer();
    int webPort = freePort();
    ClientConfig before = config(server, List.of(proxy("web", webPort, echo.port())));
    TunnelClient client = start(before, new EventRecorder());
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    ClientConfig after =
        TunnelFixture.built(
            before.toBuilder().admin("127.0.0.1", 0).proxies(List.of(proxy("api", 0, 1))));

    ReloadResult plan = client.plan(after);
    ReloadResult result = client.reload(after).get(10, TimeUnit.SECONDS);

    assertThat(plan.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(result.message())
        .isEqualTo(
            "client.admin_port: none -> 0 (cannot change while the client runs; restart the client"
                + " to apply it)");
    assertThat(client.config()).isEqualTo(before);
    assertThat(Streams.echoes(webPort)).isTrue();
  }

  @Test
  void aNewKeyTakesANewSessionThatTakesOverWhileTheOldOnesConnectionsFinish() throws Exception {
    TunnelServer server = fixture.startServer();
    String newKey = "rotated-auth-key-0123456789";
    assertThat(
            server
                .reload(TunnelFixture.built(server.config().toBuilder().authKey(newKey)))
                .outcome())
        .isEqualTo(Outcome.APPLIED);
    int webPort = freePort();
    ClientConfig before = config(server, List.of(proxy("web", webPort, echo.port())));
    EventRecorder events = new EventRecorder();
    TunnelClient client = start(before, events);
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    ClientConfig after = TunnelFixture.built(before.toBuilder().authKey(newKey));

    try (Socket transfer = Streams.connect(webPort, 30_000)) {
      CompletableFuture<Streams.Digest> back =
          CompletableFuture.supplyAsync(() -> readAll(transfer));
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      Random random = new Random(5);
      write(transfer.getOutputStream(), random, sent, 4 * MIB);

      ReloadResult result = client.reload(after).get(30, TimeUnit.SECONDS);

      assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(result.effective())
          .extracting(c -> c.name() + " " + c.action().wireName() + " " + c.step().wireName())
          .containsExactly("client.auth_key reconnect applied");
      write(transfer.getOutputStream(), random, sent, 12 * MIB);
      transfer.shutdownOutput();
      Streams.Digest digest = back.get(60, TimeUnit.SECONDS);
      assertThat(digest.length()).isEqualTo(16 * MIB);
      assertThat(digest.sha256()).isEqualTo(sent.digest());
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(webPort));
    await().atMost(Duration.ofSeconds(20)).until(() -> server.snapshot().sessions().size() == 1);
    assertThat(events.all(ClientEvent.Connected.class)).hasSize(2);
    assertThat(client.config()).isEqualTo(after);
  }

  @Test
  void aNewServerThatCannotBeReachedRollsBackAndTheSessionStays() throws Exception {
    TunnelServer server = fixture.startServer();
    int webPort = freePort();
    ClientConfig before = config(server, List.of(proxy("web", webPort, echo.port())));
    EventRecorder events = new EventRecorder();
    TunnelClient client = start(before, events);
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    int nobody = freePort();

    ReloadResult result =
        client
            .reload(TunnelFixture.built(before.toBuilder().server("127.0.0.1", nobody)))
            .get(30, TimeUnit.SECONDS);

    assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(result.message())
        .startsWith("a new session with the reloaded settings did not come up (")
        .endsWith("); the previous session and configuration stay");
    assertThat(result.effective())
        .extracting(c -> c.name() + " " + c.action().wireName() + " " + c.step().wireName())
        .containsExactly("client.server_port reconnect failed");
    assertThat(client.config()).isEqualTo(before);
    assertThat(Streams.echoes(webPort)).isTrue();
    assertThat(events.all(ClientEvent.Disconnected.class)).isEmpty();
    assertThat(client.status().server()).isEqualTo(before.server());
  }

  @Test
  void aRemovedProxysOpenConnectionFinishesWithinShutdownGraceThenIsClosed() throws Exception {
    TunnelServer server = fixture.startServer();
    int keep = freePort();
    int gone = freePort();
    ClientConfig before =
        TunnelFixture.built(
            config(
                    server,
                    List.of(proxy("keep", keep, echo.port()), proxy("gone", gone, echo.port())))
                .toBuilder()
                .shutdownGrace(Duration.ofSeconds(2)));
    TunnelClient client = start(before, new EventRecorder());
    client.proxy("gone").whenHealthy().get(10, TimeUnit.SECONDS);
    try (Socket open = Streams.connect(gone, 10_000);
        Socket untouched = Streams.connect(keep, 10_000)) {
      assertThat(Streams.echoesExactly(open, 1, 1024)).isTrue();
      assertThat(Streams.echoesExactly(untouched, 2, 1024)).isTrue();
      long removedAt = System.nanoTime();

      ReloadResult result =
          client
              .reload(
                  TunnelFixture.built(
                      before.toBuilder().proxies(List.of(proxy("keep", keep, echo.port())))))
              .get(10, TimeUnit.SECONDS);

      assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
      await().atMost(Duration.ofSeconds(5)).until(() -> Streams.refuses(gone));
      assertThat(Streams.echoesExactly(open, 3, 1024)).as("within shutdown_grace").isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.closedByPeer(open));
      assertThat(Duration.ofNanos(System.nanoTime() - removedAt))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(Streams.echoesExactly(untouched, 4, 1024)).as("untouched proxy").isTrue();
    }
  }

  /**
   * Quick reconnects, and the default keepalive: a loaded machine must not drop a session the test
   * watches for reconnects.
   */
  private ClientConfig config(TunnelServer server, List<ProxyConfig> proxies) {
    return TunnelFixture.built(
        fast(fixture.clientConfig(server.address().getPort(), "office", proxies)).toBuilder()
            .keepAlive(KeepAlive.DEFAULT));
  }

  private TunnelClient start(ClientConfig config, EventRecorder events) throws Exception {
    TunnelClient client = TunnelClient.builder(config).listener(events).start();
    fixture.closeLater(client);
    return client;
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static Change change(ReloadResult result, String name) {
    return result.changes().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static void write(OutputStream out, Random random, MessageDigest digest, long length)
      throws Exception {
    byte[] chunk = new byte[64 * 1024];
    for (long left = length; left > 0; left -= chunk.length) {
      random.nextBytes(chunk);
      out.write(chunk);
      digest.update(chunk);
    }
    out.flush();
  }

  private static Streams.Digest readAll(Socket s) {
    try {
      return Streams.readAll(s.getInputStream());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
