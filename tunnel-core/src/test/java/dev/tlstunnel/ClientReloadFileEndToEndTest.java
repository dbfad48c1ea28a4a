package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client started from a file: {@code POST /api/reload} on its admin API (the plan as JSON, then
 * applied), {@code watch = true} picking up later edits, and an invalid edit that changes nothing.
 */
@Timeout(60)
class ClientReloadFileEndToEndTest extends EchoTunnelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theAdminApiPlansAndAppliesThenWatchingPicksUpEditsAndRefusesAnInvalidOne() throws Exception {
    TunnelServer server = fixture.startServer();
    int web = freePort();
    int api = freePort();
    Path file = dir.resolve("client.toml");
    Files.writeString(file, toml(server, "", proxy("web", web)));
    EventRecorder events = new EventRecorder();
    TunnelClient client =
        fixture.closeLater(
            TunnelClient.builder(ConfigLoader.loadClient(file))
                .configFile(file)
                .listener(events)
                .start());
    client.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
    Files.writeString(
        file,
        toml(server, "watch = true\nwatch_interval = \"100ms\"\n", proxy("web", web))
            + proxy("api", api));

    HttpResponse<String> plan = post(client, "?dry_run=true");
    assertThat(plan.statusCode()).isEqualTo(200);
    JsonNode planned = JSON.readTree(plan.body());
    assertThat(planned.path("outcome").asText()).isEqualTo("planned");
    assertThat(planned.path("changes").toString())
        .contains(
            "{\"kind\":\"proxy\",\"name\":\"api\",\"action\":\"add\",\"detail\":\"publish"
                + " 127.0.0.1:"
                + api);
    assertThatThrownBy(() -> client.proxy("api")).isInstanceOf(IllegalArgumentException.class);

    HttpResponse<String> applied = post(client, "");
    assertThat(applied.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(applied.body()).path("outcome").asText()).isEqualTo("applied");
    client.proxy("api").whenHealthy().get(10, TimeUnit.SECONDS);
    assertThat(Streams.echoes(api)).isTrue();

    Files.writeString(
        file, toml(server, "watch = true\nwatch_interval = \"100ms\"\n", proxy("web", web)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.all(ClientEvent.Reloaded.class).size() == 2);
    assertThat(events.all(ClientEvent.Reloaded.class).get(1).result().outcome())
        .isEqualTo(Outcome.APPLIED);
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.refuses(api));

    Files.writeString(
        file,
        toml(server, "watch = true\nwatch_interval = \"100ms\"\n", proxy("web", web))
            .replace("local_port = " + echo.port(), "local_port = 70000"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> events.all(ClientEvent.Reloaded.class).size() == 3);
    ReloadResult refused = events.all(ClientEvent.Reloaded.class).get(2).result();
    assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(refused.message()).startsWith(file + ": proxies[0].local_port: ");
    assertThat(Streams.echoes(web)).isTrue();
    assertThat(events.all(ClientEvent.Disconnected.class)).isEmpty();
  }

  private static HttpResponse<String> post(TunnelClient client, String query) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + client.adminPort() + "/api/reload" + query))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String toml(TunnelServer server, String more, String proxies) {
    return """
        [client]
        server_addr = "127.0.0.1"
        server_port = %d
        auth_key = "%s"
        ca_cert_path = "%s"
        client_id = "office"
        admin_addr = "127.0.0.1"
        admin_port = 0
        """
            .formatted(server.address().getPort(), TunnelFixture.KEY, fixture.pki().cert())
        + more
        + proxies;
  }

  private String proxy(String name, int port) {
    return """

        [[proxies]]
        name = "%s"
        publish_addr = "127.0.0.1"
        publish_port = %d
        local_addr = "127.0.0.1"
        local_port = %d
        """
        .formatted(name, port, echo.port());
  }
}
