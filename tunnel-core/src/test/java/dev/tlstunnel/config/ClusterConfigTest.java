package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code [server.cluster]} and a client's list of servers: mapping, defaults, every message. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClusterConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void setUp() throws IOException {
    for (String f : List.of("server.crt", "server.key", "ca.pem", "peer.pem", "peer.key")) {
      Files.writeString(dir.resolve(f), "pem");
    }
  }

  private static String server(String cluster) {
    return ConfigValidationTest.server(
        "bind_port = 7000\nauth_key = \"" + ConfigValidationTest.KEY + "\"\n",
        "[server.cluster]\n" + cluster);
  }

  private static final String PEER_TLS =
      "peer_ca_cert_path = \"ca.pem\"\npeer_cert_path = \"peer.pem\"\npeer_key_path = \"peer.key\"\n";

  @Test
  void mapsEveryKeyWithTheLeaseDefault() throws Exception {
    ServerConfig c =
        ConfigLoader.parseServer(
            server(
                "etcd_endpoints = [\"http://10.0.0.1:2379\", \"https://etcd.example.com:2379\"]\n"
                    + "node_id = \"edge-1\"\npeer_addr = \"10.0.0.11:7100\"\n"
                    + PEER_TLS),
            dir);
    ClusterConfig cluster = c.cluster();
    assertThat(cluster.etcdEndpoints())
        .containsExactly("http://10.0.0.1:2379", "https://etcd.example.com:2379");
    assertThat(cluster.nodeId()).isEqualTo("edge-1");
    assertThat(cluster.peerHost()).isEqualTo("10.0.0.11");
    assertThat(cluster.peerPort()).isEqualTo(7100);
    assertThat(cluster.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(cluster.publishAddr()).isNull();
    assertThat(cluster.peerCert()).isEqualTo(dir.resolve("peer.pem"));
    assertThat(c.toBuilder().build().cluster()).isEqualTo(cluster);
  }

  @Test
  void aServerWithoutTheTableIsNoCluster() throws Exception {
    assertThat(
            ConfigLoader.parseServer(
                    ConfigValidationTest.server(
                        "bind_port = 7000\nauth_key = \"" + ConfigValidationTest.KEY + "\"\n"),
                    dir)
                .cluster())
        .isNull();
  }

  @Test
  void everyProblemNamesItsKey() {
    List<String> problems =
        catchThrowableOfType(
                ConfigException.class,
                () ->
                    ConfigLoader.parseServer(
                        server(
                            "etcd_endpoints = [\"10.0.0.1:2379\"]\nnode_id = \"edge 1\"\n"
                                + "peer_addr = \"10.0.0.11\"\nlease_ttl = \"1s\"\n"
                                + "peer_cert_path = \"missing.pem\"\n"),
                        dir))
            .problems();
    assertThat(problems)
        .contains(
            "server.cluster.etcd_endpoints[0]: expected http://host:port or https://host:port,"
                + " got '10.0.0.1:2379'",
            "server.cluster.node_id: must match [A-Za-z0-9._-]{1,64}, got 'edge 1'",
            "server.cluster.peer_addr: expected host:port with a port from 1 to 65535, got"
                + " '10.0.0.11'",
            "server.cluster.lease_ttl: must be at least 2s (etcd counts in seconds), got 1s",
            "server.cluster.peer_ca_cert_path: missing required key",
            "server.cluster.peer_key_path: missing required key");
    assertThat(problems)
        .anyMatch(p -> p.startsWith("server.cluster.peer_cert_path: file not found: "));
  }

  @Test
  void requiredKeysAreNamed() {
    List<String> problems =
        catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.parseServer(server(PEER_TLS), dir))
            .problems();
    assertThat(problems)
        .contains(
            "server.cluster.etcd_endpoints: missing required key",
            "server.cluster.node_id: missing required key",
            "server.cluster.peer_addr: missing required key");
  }

  @Test
  void aClientTakesAListOfServers() throws Exception {
    ClientConfig c =
        ConfigLoader.parseClient(
            "[client]\nserver_addr = [\"a.example.com:7001\", \"b.example.com\", \"[::1]:7002\"]\n"
                + "server_port = 7000\nauth_key = \""
                + ConfigValidationTest.KEY
                + "\"\n",
            dir);
    assertThat(c.serverAddr()).isEqualTo("a.example.com");
    assertThat(c.serverPort()).isEqualTo(7001);
    assertThat(c.servers())
        .containsExactly("a.example.com:7001", "b.example.com:7001", "[::1]:7002");
    ClientConfig one =
        ConfigLoader.parseClient(
            "[client]\nserver_addr = [\"a.example.com:7001\"]\nauth_key = \""
                + ConfigValidationTest.KEY
                + "\"\n",
            dir);
    assertThat(one.servers()).containsExactly("a.example.com:7001");
  }

  @Test
  void anEmptyServerListIsNamed() {
    assertThat(
            catchThrowableOfType(
                    ConfigException.class,
                    () ->
                        ConfigLoader.parseClient(
                            "[client]\nserver_addr = []\nserver_port = 7000\nauth_key = \""
                                + ConfigValidationTest.KEY
                                + "\"\n",
                            dir))
                .problems())
        .contains("client.server_addr: must list at least one server");
  }
}
