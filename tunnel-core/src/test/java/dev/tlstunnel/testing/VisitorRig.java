package dev.tlstunnel.testing;

import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.server.TunnelServer;
import java.time.Duration;
import java.util.List;

/**
 * A server, a publisher client {@code office} with a private proxy {@code echo} to a local service,
 * and a visitor client {@code laptop} whose visitor {@code echo} reaches {@code office/echo}: the
 * two-clients setup of the visitor tests, on a {@link TunnelFixture}.
 */
public final class VisitorRig {
  public static final String SECRET = "visitor-secret-0123456789";
  public static final String PUBLISHER = "office";
  public static final String VISITOR = "laptop";

  private final TunnelFixture fixture;
  private final TunnelServer server;

  public VisitorRig(TunnelFixture fixture) throws Exception {
    this(fixture, fixture.startServer());
  }

  public VisitorRig(TunnelFixture fixture, TunnelServer server) {
    this.fixture = fixture;
    this.server = server;
  }

  public TunnelServer server() {
    return server;
  }

  /** The private proxy {@code name} of a local service, allowing {@code allowed}. */
  public static ProxyConfig privateProxy(String name, int localPort, String... allowed) {
    return TunnelFixture.built(
        ProxyConfig.builder(name)
            .local("127.0.0.1", localPort)
            .privateAccess(List.of(allowed), SECRET));
  }

  /** A client config for this rig's server, with quick reconnects. */
  public ClientConfig client(String id, List<ProxyConfig> proxies, List<VisitorConfig> visitors) {
    return TunnelFixture.fast(
        TunnelFixture.built(
            fixture.clientConfig(server.address().getPort(), id, proxies).toBuilder()
                .visitors(visitors)));
  }

  /** Starts the publisher with {@code proxies} and waits until each is ready for visitors. */
  public TunnelClient startPublisher(List<ProxyConfig> proxies) throws Exception {
    TunnelClient publisher = fixture.startClient(client(PUBLISHER, proxies, List.of()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                publisher.status().proxies().stream()
                    .map(ProxyState::status)
                    .allMatch(ProxyStatus.HEALTHY::equals));
    return publisher;
  }

  /** Starts the publisher with the private proxy {@code echo} to {@code localPort}. */
  public TunnelClient startPublisher(int localPort) throws Exception {
    return startPublisher(List.of(privateProxy("echo", localPort, VISITOR)));
  }

  /** Starts a client {@code id} with {@code visitors} and waits until it is connected. */
  public TunnelClient startVisitor(String id, List<VisitorConfig> visitors) throws Exception {
    TunnelClient client = fixture.startClient(client(id, List.of(), visitors));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.status().sessionState() == SessionState.CONNECTED);
    return client;
  }

  /**
   * Starts the visitor client {@code laptop} with the visitor {@code echo} to {@code office/echo}.
   */
  public TunnelClient startVisitor() throws Exception {
    return startVisitor(VISITOR, List.of(VisitorConfig.of("echo", PUBLISHER + "/echo", 0, SECRET)));
  }

  /** The state of {@code client}'s visitor {@code name}. */
  public static VisitorState visitor(TunnelClient client, String name) {
    return client.status().visitors().stream()
        .filter(v -> v.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** Waits until {@code client}'s visitor {@code name} listens and returns its local port. */
  public static int localPort(TunnelClient client, String name) {
    String local =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> visitor(client, name).local(), l -> l != null);
    return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
  }
}
