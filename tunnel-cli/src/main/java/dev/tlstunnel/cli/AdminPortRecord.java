package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Where a client with {@code admin_port = 0} records the port its admin API got, so that {@code
 * status -c FILE} finds it: {@code client-<client_id>.admin} in the state directory (owner-only,
 * removed when the client stops). A picocli mixin of the client and of the commands that read it.
 */
public final class AdminPortRecord {
  private static final Logger log = LoggerFactory.getLogger(AdminPortRecord.class);

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where a client with admin_port = 0 records the port its admin API got, and where a"
              + " client started with -c listens for reload requests (default: ~/.tls-tunnel).")
  private Path stateDir;

  /** The state directory given, or null for the default. */
  Path stateDir() {
    return stateDir;
  }

  /** What a running client recorded. */
  record Recorded(Path file, String addr, int port, long pid) {}

  /** The record file of {@code clientId}. */
  Path file(String clientId) {
    Path dir = stateDir != null ? stateDir : ZeroConfigServer.defaultStateDir();
    return dir.toAbsolutePath().normalize().resolve("client-" + clientId + ".admin");
  }

  /**
   * Records the admin API's port when the config asks for a free one, until the client ends.
   *
   * @param config the config file, or null
   */
  void record(ClientConfig cfg, Path config, TunnelClient client) throws IOException {
    if (cfg.adminPort() == null || cfg.adminPort() != 0) {
      return;
    }
    Path file = file(cfg.clientId());
    ZeroConfigServer.createPrivateDir(file.getParent());
    // Mappers are made where used, not in a static field: picocli creates this mixin at start-up.
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode node = mapper.createObjectNode();
    node.put("client_id", cfg.clientId());
    node.put("admin_addr", cfg.adminAddr());
    node.put("admin_port", client.adminPort());
    node.put("pid", ProcessHandle.current().pid());
    node.put("config", config == null ? null : config.toAbsolutePath().normalize().toString());
    AuthKeys.writeOwnerOnly(file, mapper.writeValueAsString(node) + "\n");
    log.info("Admin API port {} recorded in {} for 'tls-tunnel status'", client.adminPort(), file);
    long pid = ProcessHandle.current().pid();
    client.exit().whenComplete((exit, failure) -> remove(file, pid));
  }

  /** Removes the record, unless another client with the same id has taken it over since. */
  private static void remove(Path file, long pid) {
    try {
      Recorded now = read(file);
      if (now != null && now.pid() == pid) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.warn("Cannot remove {}: {}", file, e.getMessage());
    }
  }

  /**
   * The port a running client recorded for {@code clientId}.
   *
   * @throws ConfigException when there is no record, or its client is no longer running
   */
  Recorded find(String clientId, Path config) throws ConfigException {
    Path file = file(clientId);
    Recorded recorded;
    try {
      recorded = read(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the recorded admin port: " + e.getMessage());
    }
    if (recorded == null) {
      throw new ConfigException(
          "admin_port = 0 in "
              + config
              + ", and no running client recorded the port it got in "
              + file
              + " (is the client running? with another --state-dir?); or give --port");
    }
    boolean alive = ProcessHandle.of(recorded.pid()).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      throw new ConfigException(
          "the client that recorded port "
              + recorded.port()
              + " in "
              + file
              + " (pid "
              + recorded.pid()
              + ") is no longer running");
    }
    return recorded;
  }

  private static Recorded read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    JsonNode node = new ObjectMapper().readTree(file.toFile());
    if (node == null || node.path("admin_port").asInt() <= 0) {
      return null; // being written
    }
    return new Recorded(
        file,
        node.path("admin_addr").asText("127.0.0.1"),
        node.path("admin_port").asInt(),
        node.path("pid").asLong());
  }
}
