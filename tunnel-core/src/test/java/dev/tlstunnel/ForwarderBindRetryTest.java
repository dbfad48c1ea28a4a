package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A forwarder whose port is taken retries, says why and recovers, exactly like a proxy. */
@Timeout(60)
class ForwarderBindRetryTest {
  @TempDir Path dir;

  @Test
  void takenPortIsRetriedWithTheProxyTextsAndStates() throws Exception {
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    try (TunnelFixture fixture = new TunnelFixture(dir);
        LogCapture log = new LogCapture("dev.tlstunnel.forward.Forwarder")) {
      int port = squatter.getLocalPort();
      ForwarderConfig fwd =
          new ForwarderConfig(
              "fwd",
              ForwarderType.SOCKS5,
              "127.0.0.1",
              port,
              null,
              null,
              8,
              ForwarderConfig.DEFAULT_MAX_REQUEST_HEAD,
              Duration.ofSeconds(5),
              Duration.ofSeconds(30),
              Duration.ofSeconds(5),
              new BindRetryPolicy(200, Duration.ofMillis(100), Duration.ofMillis(200)),
              null,
              null);
      TunnelServer server = fixture.startServer();
      TunnelClient client =
          fixture.startClient(
              fixture.clientConfig(server.address().getPort(), "c", List.of()).toBuilder()
                  .addForwarder(fwd)
                  .build());
      await().until(() -> state(client).status() == ProxyStatus.UNHEALTHY);
      assertThat(state(client).bindError())
          .isEqualTo("Port " + port + " is already in use by another process");
      await()
          .until(
              () ->
                  log.messages().stream()
                      .anyMatch(
                          m ->
                              m.startsWith(
                                  "Forwarder 'fwd' bind failed (attempt 1/200): Port "
                                      + port
                                      + " is already in use by another process. Retrying in 0.1 seconds...")));
      squatter.close();
      await().until(() -> state(client).status() == ProxyStatus.HEALTHY);
      assertThat(state(client).bindError()).isNull();
      assertThat(log.messages())
          .anyMatch(
              m ->
                  m.matches(
                      "Forwarder 'fwd' listening on 127\\.0\\.0\\.1:"
                          + port
                          + " \\(after \\d+ retries\\)"));
      try (Socket s = new Socket("127.0.0.1", port)) {
        assertThat(s.isConnected()).isTrue();
      }
    } finally {
      squatter.close();
    }
  }

  private static ForwarderState state(TunnelClient client) {
    return client.status().forwarders().get(0);
  }
}
