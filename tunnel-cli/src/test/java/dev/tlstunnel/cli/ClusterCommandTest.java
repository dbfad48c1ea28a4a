package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.cluster.etcd.ClusterStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls-tunnel cluster status}: its table, and the errors before it reaches etcd. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ClusterCommandTest {
  @TempDir Path dir;

  @Test
  void printsServersClientsProxiesAndListeners() {
    StringWriter text = new StringWriter();
    ClusterCommand.print(
        new ClusterStatus.Snapshot(
            List.of(
                new ClusterStatus.Server("n1", "10.0.0.11:7100", "694d8a1b2c3d4e5f", 10, 8),
                new ClusterStatus.Server("n2", "10.0.0.12:7100", "694d8a1b2c3d4e60", 10, 9)),
            List.of(
                new ClusterStatus.Held("api", "c1", "n1", "0.0.0.0:8081"),
                new ClusterStatus.Held("db", "c2", "n2", null),
                new ClusterStatus.Held("web", "c1", "n1", "0.0.0.0:8080")),
            List.of(
                new ClusterStatus.Listener("n1", "api", "bound", "0.0.0.0:8081", 1, null),
                new ClusterStatus.Listener("n2", "api", "bound", "0.0.0.0:8081", 2, null),
                new ClusterStatus.Listener("n1", "web", "bound", "0.0.0.0:8080", 1, null),
                new ClusterStatus.Listener(
                    "n2",
                    "web",
                    "retrying",
                    "0.0.0.0:8080",
                    3,
                    "address 0.0.0.0:8080 already in use"))),
        new PrintWriter(text));
    assertThat(text.toString())
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "Servers (2):",
                "  NODE             PEER_ADDR                LEASE              TTL LEFT",
                "  n1               10.0.0.11:7100           694d8a1b2c3d4e5f   8s of 10s",
                "  n2               10.0.0.12:7100           694d8a1b2c3d4e60   9s of 10s",
                "Clients (2):",
                "  c1                       on n1               2 proxies",
                "  c2                       on n2               1 proxy",
                "Proxies (3):",
                "  PROXY                    CLIENT                   SERVER           PUBLISH",
                "  api                      c1                       n1               0.0.0.0:8081",
                "  db                       c2                       n2               -",
                "  web                      c1                       n1               0.0.0.0:8080",
                "Listeners (4):",
                "  PROXY                    SERVER           STATE     ADDRESS",
                "  api                      n1               bound     0.0.0.0:8081",
                "  api                      n2               bound     0.0.0.0:8081",
                "  web                      n1               bound     0.0.0.0:8080",
                "  web                      n2               retrying  0.0.0.0:8080 (attempt 3:"
                    + " address 0.0.0.0:8080 already in use)",
                ""));
  }

  @Test
  void aServerWithoutAClusterIsNamed() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "pem");
    Path key = Files.writeString(dir.resolve("k.pem"), "pem");
    Path toml =
        Files.writeString(
            dir.resolve("server.toml"),
            "[server]\nbind_port = 7000\ncert_path = \""
                + cert
                + "\"\nkey_path = \""
                + key
                + "\"\nauth_key = \"0123456789abcdef0123456789abcdef\"\n");
    CliRun run = CliRun.run("cluster", "status", "-c", toml.toString());
    assertThat(run.code()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
    assertThat(run.err()).contains(toml + " has no [server.cluster]");
  }
}
