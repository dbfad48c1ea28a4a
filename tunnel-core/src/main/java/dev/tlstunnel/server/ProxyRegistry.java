package dev.tlstunnel.server;

import dev.tlstunnel.bind.BindDiagnostics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which session holds which proxy name and publish binding, across the whole server. Sessions run
 * on different event loops, so every method is synchronized; the critical sections are tiny.
 */
final class ProxyRegistry {
  /** A proxy held by a session. */
  record Entry(String proxyName, String publishAddr, int publishPort, ServerSession owner) {}

  private final Map<String, Entry> byName = new HashMap<>();
  private int tunnelPort;

  ProxyRegistry(int tunnelPort) {
    this.tunnelPort = tunnelPort;
  }

  /** Sets the tunnel port once it is bound (it may have been configured as 0). */
  synchronized void tunnelPort(int port) {
    this.tunnelPort = port;
  }

  /**
   * Claims a name and binding for {@code owner}; returns the reason it cannot, naming the holder.
   */
  synchronized Optional<String> claim(
      ServerSession owner, String name, String publishAddr, int publishPort) {
    Entry held = byName.get(name);
    if (held != null) {
      return Optional.of(
          "proxy name '"
              + name
              + "' is already registered by client '"
              + held.owner().clientId()
              + "'");
    }
    if (publishPort == tunnelPort) {
      return Optional.of("publish port " + publishPort + " is the server's own tunnel port");
    }
    for (Entry e : byName.values()) {
      if (publishPort != 0
          && e.publishPort() == publishPort
          && overlaps(e.publishAddr(), publishAddr)) {
        return Optional.of(
            "publish address "
                + BindDiagnostics.hostPort(publishAddr, publishPort)
                + " conflicts with proxy '"
                + e.proxyName()
                + "' of client '"
                + e.owner().clientId()
                + "' on "
                + BindDiagnostics.hostPort(e.publishAddr(), e.publishPort()));
      }
    }
    byName.put(name, new Entry(name, publishAddr, publishPort, owner));
    return Optional.empty();
  }

  private static boolean overlaps(String a, String b) {
    return a.equals(b) || isWildcard(a) || isWildcard(b);
  }

  private static boolean isWildcard(String addr) {
    return addr.equals("0.0.0.0") || addr.equals("::") || addr.equals("[::]") || addr.isEmpty();
  }

  /** Releases every entry of {@code owner}. */
  synchronized void releaseAll(ServerSession owner) {
    byName.values().removeIf(e -> e.owner() == owner);
  }

  synchronized List<Entry> entries() {
    return new ArrayList<>(byName.values());
  }
}
