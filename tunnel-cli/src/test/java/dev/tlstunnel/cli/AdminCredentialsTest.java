package dev.tlstunnel.cli;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.TunnelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status}, {@code retry} and {@code top} against a client admin API that asks for a token:
 * from {@code --token}, or from the client's own config file; refused without.
 */
@Timeout(60)
class AdminCredentialsTest {
  private static final String TOKEN = "client-admin-token-0123";

  @TempDir Path dir;

  @Test
  void commandsSendTheTokenOfTheConfigOrTheOption() throws Exception {
    try (TunnelFixture fixture = new TunnelFixture(dir);
        EchoService echo = new EchoService()) {
      TunnelServer server = fixture.startServer();
      TunnelClient client =
          fixture.startClient(
              fixture
                  .clientBuilder(
                      server.address().getPort(), "office", List.of(proxy("echo", 0, echo.port())))
                  .admin("127.0.0.1", 0)
                  .monitoring(MonitoringConfig.DEFAULT.withToken(TOKEN))
                  .build());
      client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS);
      String port = String.valueOf(client.adminPort());

      CliRun refused = CliRun.run("status", "--port", port);
      assertThat(refused.code()).isEqualTo(Main.EXIT_USAGE);
      assertThat(refused.err()).contains("HTTP 401: the admin API asks for credentials");
      assertThat(CliRun.run("top", "--port", port, "--once").err())
          .contains("refused the credentials: give --token or --user");

      CliRun status = CliRun.run("status", "--port", port, "--token", TOKEN);
      assertThat(status.code()).as(status.err()).isZero();
      assertThat(status.out()).contains("echo").contains("healthy");

      Path config = dir.resolve("client.toml");
      Files.writeString(
          config,
          "[client]\n"
              + "server_addr = \"127.0.0.1\"\n"
              + "server_port = "
              + server.address().getPort()
              + "\nauth_key = \""
              + TunnelFixture.KEY
              + "\"\nca_cert_path = \""
              + fixture.pki().cert()
              + "\"\nclient_id = \"office\"\nadmin_port = "
              + port
              + "\nadmin_token = \""
              + TOKEN
              + "\"\n");
      CliRun fromFile = CliRun.run("status", "-c", config.toString());
      assertThat(fromFile.code()).as(fromFile.err()).isZero();
      assertThat(fromFile.out()).contains("echo");
      CliRun retry = CliRun.run("retry", "-c", config.toString(), "echo");
      assertThat(retry.err()).doesNotContain("401");
      CliRun top = CliRun.run("top", "-c", config.toString(), "--once", "--json");
      assertThat(top.code()).as(top.err()).isZero();
      assertThat(top.out()).contains("\"side\":\"client\"").contains("\"name\":\"echo\"");
    }
  }
}
