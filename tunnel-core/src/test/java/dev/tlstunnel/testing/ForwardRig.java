package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.config.RouteRule;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.config.RoutingConfig;
import dev.tlstunnel.server.TunnelServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A server that forwards to 127.0.0.3 only, a client with forwarders, and two origin servers:
 * 127.0.0.2 ({@code direct}, reachable only from the client: its direct policy allows it, the
 * server's does not) and 127.0.0.3 ({@code tunnel}, reachable only through the server).
 */
public final class ForwardRig implements AutoCloseable {
  public final TunnelFixture fixture;
  public final OriginServers direct;
  public final OriginServers tunnel;
  public final TunnelServer server;
  public final TunnelClient client;

  public ForwardRig(Path dir, List<ForwarderConfig> forwarders) throws Exception {
    fixture = new TunnelFixture(dir);
    direct = new OriginServers("127.0.0.2", "direct", fixture.pki());
    tunnel = new OriginServers("127.0.0.3", "tunnel", fixture.pki());
    server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .egress(EgressConfig.allowing(EgressRules.allowing("127.0.0.3/32")))));
    client =
        fixture.startClient(
            fixture.clientConfig(server.address().getPort(), "fwd-client", List.of()).toBuilder()
                .forwarders(forwarders)
                .build());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.status().sessionState() == SessionState.CONNECTED);
  }

  /** Names under direct.fwd.test and 127.0.0.2 go direct; the rest through the tunnel. */
  public static RoutingConfig splitRouting() {
    return new RoutingConfig(
        List.of(
            rule(List.of("direct.fwd.test"), List.of(), RouteVia.DIRECT),
            rule(List.of(), List.of("127.0.0.2/32"), RouteVia.DIRECT)),
        RouteVia.TUNNEL,
        null,
        null);
  }

  private static RouteRule rule(List<String> suffixes, List<String> cidrs, RouteVia via) {
    return new RouteRule(null, suffixes, null, null, cidrs, null, null, via);
  }

  /**
   * The bytes of a SOCKS5 {@code CONNECT} to {@code host} (a domain name) and {@code port}, then
   * {@code data} for the target behind it.
   */
  public static byte[] socks5Connect(String host, int port, String data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {5, 1, 0, 3, (byte) host.length()});
    out.writeBytes(host.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(new byte[] {(byte) (port >> 8), (byte) port});
    out.writeBytes(data.getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /**
   * Connects to {@code port} on 127.0.0.1 and writes {@code greeting}, if not empty, then expects
   * the SOCKS5 answer "version 5, no authentication"; writes {@code rest}, ends the output and
   * returns all that comes back until the proxy closes, one char per byte.
   */
  public static String sendAndEnd(int port, byte[] greeting, byte[] rest) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      if (greeting.length > 0) {
        s.getOutputStream().write(greeting);
        assertThat(s.getInputStream().readNBytes(2)).containsExactly(5, 0);
      }
      s.getOutputStream().write(rest);
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** A forwarder on a free port with split routing; its direct route may reach 127.0.0.2. */
  public static ForwarderConfig split(String name, ForwarderType type) {
    return ForwarderConfig.of(name, type, 0)
        .withRouting(splitRouting())
        .withDirect(EgressRules.allowing("127.0.0.2/32"));
  }

  /** A forwarder on a free port whose every connection goes {@code via}, default policies. */
  public static ForwarderConfig all(String name, ForwarderType type, RouteVia via) {
    return ForwarderConfig.of(name, type, 0)
        .withRouting(new RoutingConfig(List.of(), via, null, null));
  }

  /** The state of forwarder {@code name}. */
  public ForwarderState state(String name) {
    return client.status().forwarders().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** Waits until {@code name} listens and returns its port. */
  public int port(String name) {
    await().atMost(Duration.ofSeconds(10)).until(() -> state(name).status() == ProxyStatus.HEALTHY);
    String listen = state(name).listen();
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  /** {@code http://127.0.0.1:port} of forwarder {@code name}. */
  public String proxy(String name) {
    return "127.0.0.1:" + port(name);
  }

  @Override
  public void close() {
    fixture.close();
    direct.close();
    tunnel.close();
  }
}
