package dev.tlstunnel.server;

import dev.tlstunnel.config.Addresses;
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
  record Entry(
      String proxyName, String publishAddr, int publishPort, ServerSession owner, String group) {}

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
    return claim(owner, name, publishAddr, publishPort, null);
  }

  /**
   * Like {@link #claim(ServerSession, String, String, int)}, for a member of the load-balancing
   * group {@code group} (or none when null): the members of one group share their binding.
   */
  synchronized Optional<String> claim(
      ServerSession owner, String name, String publishAddr, int publishPort, String group) {
    return claim(owner, name, publishAddr, publishPort, group, false);
  }

  /**
   * Claims a new binding for {@code owner}'s proxy {@code name}, which it holds already (a reload
   * changed it): checked against every other entry; on success the entry holds the new binding
   * (outside any group).
   */
  synchronized Optional<String> reclaim(
      ServerSession owner, String name, String publishAddr, int publishPort) {
    return claim(owner, name, publishAddr, publishPort, null, true);
  }

  private Optional<String> claim(
      ServerSession owner,
      String name,
      String publishAddr,
      int publishPort,
      String group,
      boolean own) {
    Entry held = byName.get(name);
    if (own && held != null && held.owner() == owner) {
      held = null;
    }
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
      if (own && e.owner() == owner && e.proxyName().equals(name)) {
        continue;
      }
      if (publishPort != 0
          && (group == null || !group.equals(e.group()))
          && e.publishPort() == publishPort
          && Addresses.overlap(e.publishAddr(), publishAddr)) {
        return Optional.of(
            "publish address "
                + Addresses.hostPort(publishAddr, publishPort)
                + " conflicts with proxy '"
                + e.proxyName()
                + "' of client '"
                + e.owner().clientId()
                + "' on "
                + Addresses.hostPort(e.publishAddr(), e.publishPort()));
      }
    }
    byName.put(name, new Entry(name, publishAddr, publishPort, owner, group));
    return Optional.empty();
  }

  /** The session holding the proxy {@code name}, or null. */
  synchronized ServerSession holder(String name) {
    Entry e = byName.get(name);
    return e == null ? null : e.owner();
  }

  /** The names {@code owner} holds. */
  synchronized List<String> namesOf(ServerSession owner) {
    return byName.values().stream().filter(e -> e.owner() == owner).map(Entry::proxyName).toList();
  }

  /** Releases {@code owner}'s entry {@code name}. */
  synchronized void release(ServerSession owner, String name) {
    Entry e = byName.get(name);
    if (e != null && e.owner() == owner) {
      byName.remove(name);
    }
  }

  /** How many published ports (proxies that are not private) {@code owner} holds. */
  synchronized int portsOf(ServerSession owner) {
    return (int)
        byName.values().stream().filter(e -> e.owner() == owner && e.publishAddr() != null).count();
  }

  /** Whether a proxy holds {@code port} (on any address), or it is the tunnel port. */
  synchronized boolean portTaken(int port) {
    return port == tunnelPort || byName.values().stream().anyMatch(e -> e.publishPort() == port);
  }

  /** Releases every entry of {@code owner}. */
  synchronized void releaseAll(ServerSession owner) {
    byName.values().removeIf(e -> e.owner() == owner);
  }

  synchronized List<Entry> entries() {
    return new ArrayList<>(byName.values());
  }
}
