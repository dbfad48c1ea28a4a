package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.Streams;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server and two clients run by the command line from config files: {@code office} publishes a
 * private proxy, {@code laptop} reaches it through a visitor; {@code check} and {@code status} show
 * both sides.
 */
class VisitorCommandsTest {
  private static final String KEY = "cli-visitor-key-0123456789";
  private static final String SECRET = "cli-visitor-secret-0123456789";

  @TempDir Path dir;

  private Path client(String name, int serverPort, int adminPort, String rest) throws Exception {
    return SampleConfigs.write(
        dir.resolve(name + ".toml"),
        """
        [client]
        server_addr = "127.0.0.1"
        server_port = %d
        auth_key = "%s"
        ca_cert_path = "%s"
        client_id = "%s"
        admin_port = %d

        %s
        """
            .formatted(serverPort, KEY, dir.resolve("localhost-cert.pem"), name, adminPort, rest));
  }

  @Test
  @Timeout(90)
  void visitorReachesThePrivateProxyAndStatusShowsBothSides() throws Exception {
    int serverPort = DemoProbe.freePort();
    int officeAdmin = DemoProbe.freePort();
    int laptopAdmin = DemoProbe.freePort();
    int visitorPort = DemoProbe.freePort();
    Path serverConfig = SampleConfigs.server(dir, serverPort, KEY);
    assertThat(Files.exists(dir.resolve("localhost-cert.pem"))).isTrue();
    Files.writeString(dir.resolve("ssh.secret"), SECRET + "\n");
    try (EchoService echo = new EchoService();
        LiveRun server = LiveRun.start("server", "-c", serverConfig.toString())) {
      assertThat(server.isDone()).isFalse();
      Path office =
          client(
              "office",
              serverPort,
              officeAdmin,
              """
              [[proxies]]
              name = "echo"
              visibility = "private"
              local_port = %d
              allowed_visitors = ["laptop"]
              secret_file = "ssh.secret"
              """
                  .formatted(echo.port()));
      Path laptop =
          client(
              "laptop",
              serverPort,
              laptopAdmin,
              """
              [[visitors]]
              name = "office-echo"
              target = "office/echo"
              bind_port = %d
              secret = "%s"
              """
                  .formatted(visitorPort, SECRET));
      CliRun check = CliRun.run("check", "-c", laptop.toString());
      assertThat(check.code()).isZero();
      assertThat(check.out())
          .contains("visitors:  1", "office-echo: 127.0.0.1:" + visitorPort + " -> office/echo");
      assertThat(CliRun.run("check", "-c", office.toString()).out())
          .contains("echo: private, visitors laptop -> 127.0.0.1:" + echo.port());

      try (LiveRun publisher = LiveRun.start("client", "-c", office.toString());
          LiveRun visitor = LiveRun.start("client", "-c", laptop.toString())) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> status(laptop).out().contains("Session: connected"));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> status(office).out().contains("no visitor connected"));
        byte[] sent = new byte[200_000];
        new Random(3).nextBytes(sent);
        try (Socket s = Streams.connect(visitorPort, 10_000)) {
          s.getOutputStream().write(sent);
          assertThat(Streams.readExactly(s.getInputStream(), sent.length)).isEqualTo(sent);

          assertThat(status(office).out())
              .containsPattern(
                  "echo +healthy +private +127\\.0\\.0\\.1:\\d+ +visitors: laptop \\(1\\)");
          assertThat(status(laptop).out())
              .contains("VISITOR      STATUS   LOCAL")
              .containsPattern(
                  "office-echo +healthy +127\\.0\\.0\\.1:" + visitorPort + " +office/echo +1 +-");
          JsonNode json =
              new ObjectMapper()
                  .readTree(CliRun.run("status", "-c", laptop.toString(), "--json").out());
          JsonNode v = json.path("visitors").get(0);
          assertThat(v.path("name").asText()).isEqualTo("office-echo");
          assertThat(v.path("target").asText()).isEqualTo("office/echo");
          assertThat(v.path("local").asText()).isEqualTo("127.0.0.1:" + visitorPort);
          assertThat(v.path("status").asText()).isEqualTo("healthy");
          assertThat(v.path("active_connections").asInt()).isEqualTo(1);
          assertThat(v.path("last_error").isNull()).isTrue();
        }
        assertThat(publisher.isDone()).isFalse();
        assertThat(visitor.isDone()).isFalse();
      }
    }
  }

  private static CliRun status(Path config) {
    return CliRun.run("status", "-c", config.toString());
  }
}
