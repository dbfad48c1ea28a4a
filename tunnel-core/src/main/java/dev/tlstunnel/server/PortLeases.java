package dev.tlstunnel.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ports the server picked for {@code publish_port = 0}, by client id and proxy name, so that a
 * proxy gets the same port again when its client reconnects or the server restarts. A lease is held
 * while its proxy is registered and expires {@code ttl} after the proxy went away. Kept in {@code
 * state_dir/port-leases.json} (written whole, through a temporary file, at every change), or only
 * in memory without a state directory. Guarded by the {@link PortAllocator}'s monitor.
 */
final class PortLeases {
  private static final Logger log = LoggerFactory.getLogger(PortLeases.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The file in the state directory. */
  static final String FILE = "port-leases.json";

  /** A lease: held while {@code expiresAt} is null. */
  record Lease(int port, Instant expiresAt) {}

  private final Path file;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Lease> byKey = new HashMap<>();

  PortLeases(Path stateDir, Duration ttl, Clock clock) {
    this.file = stateDir == null ? null : stateDir.resolve(FILE);
    this.ttl = ttl;
    this.clock = clock;
    load();
  }

  static String key(String clientId, String proxy) {
    return clientId + "/" + proxy;
  }

  /** The unexpired lease of {@code key}, or null. */
  Lease get(String key) {
    Lease l = byKey.get(key);
    return l != null && expired(l) ? null : l;
  }

  /** Whether {@code port} is leased (unexpired) to another key than {@code key}. */
  boolean leasedToOther(int port, String key) {
    for (Map.Entry<String, Lease> e : byKey.entrySet()) {
      if (e.getValue().port() == port && !e.getKey().equals(key) && !expired(e.getValue())) {
        return true;
      }
    }
    return false;
  }

  /** {@code key} holds {@code port} from now on. */
  void hold(String key, int port) {
    Lease was = byKey.put(key, new Lease(port, null));
    if (!new Lease(port, null).equals(was)) {
      save();
    }
  }

  /** {@code key}'s proxy went away: its lease runs out after the ttl. */
  void release(String key) {
    Lease l = byKey.get(key);
    if (l != null && l.expiresAt() == null) {
      byKey.put(key, new Lease(l.port(), clock.instant().plus(ttl)));
      save();
    }
  }

  private boolean expired(Lease l) {
    return l.expiresAt() != null && !clock.instant().isBefore(l.expiresAt());
  }

  private void load() {
    if (file == null || !Files.exists(file)) {
      return;
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Instant restart = clock.instant().plus(ttl);
      for (JsonNode n : root.path("leases")) {
        String key = n.path("key").asText(null);
        int port = n.path("port").asInt(0);
        if (key == null || port < 1 || port > 65535) {
          continue;
        }
        // a lease held by the previous run is not held now: it runs out like a released one
        Instant expires =
            n.hasNonNull("expires_at") ? Instant.parse(n.get("expires_at").asText()) : restart;
        Lease l = new Lease(port, expires);
        if (!expired(l)) {
          byKey.put(key, l);
        }
      }
      log.info("Loaded {} port lease(s) from {}", byKey.size(), file);
    } catch (IOException | RuntimeException e) {
      log.warn("Ignoring unreadable port leases {}: {}", file, e.getMessage());
    }
  }

  private void save() {
    if (file == null) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode leases = root.putArray("leases");
    byKey.forEach(
        (key, l) -> {
          if (!expired(l)) {
            ObjectNode n = leases.addObject().put("key", key).put("port", l.port());
            n.put("expires_at", l.expiresAt() == null ? null : l.expiresAt().toString());
          }
        });
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(FILE + ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("Cannot save port leases to {}: {}", file, e.getMessage());
    }
  }
}
