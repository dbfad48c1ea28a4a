package dev.tlstunnel.server;

import dev.tlstunnel.protocol.PrivateAccess;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private proxies of every session, by target ({@code CLIENT_ID/PROXY}): no listener, only
 * visitors reach them. Sessions run on different event loops; the table is concurrent.
 */
final class PrivateProxies {
  private static final Logger log = LoggerFactory.getLogger(PrivateProxies.class);

  /** One private proxy and the visits open on it. */
  static final class Entry {
    final ServerSession owner;
    final String proxyName;
    final PrivateAccess access;
    private final AtomicInteger open = new AtomicInteger();

    Entry(ServerSession owner, String proxyName, PrivateAccess access) {
      this.owner = owner;
      this.proxyName = proxyName;
      this.access = access;
    }

    /** Counts one more visit, unless {@code max} are open already. */
    boolean tryOpen(int max) {
      while (true) {
        int n = open.get();
        if (n >= max) {
          return false;
        }
        if (open.compareAndSet(n, n + 1)) {
          return true;
        }
      }
    }

    void closed() {
      open.decrementAndGet();
    }

    /** Visits open right now. */
    int openVisits() {
      return open.get();
    }
  }

  private final Map<String, Entry> byTarget = new ConcurrentHashMap<>();

  /**
   * Takes the private proxy {@code spec} of {@code owner} (its name is claimed already) and tells
   * the client: accepted, and ready for visitors.
   */
  void register(ServerSession owner, ProxySpec spec) {
    Entry entry = new Entry(owner, spec.name(), spec.privateAccess());
    byTarget.put(target(owner.clientId(), spec.name()), entry);
    log.info(
        "Proxy '{}' of client '{}' is private: reachable by visitors {}",
        spec.name(),
        owner.clientId(),
        spec.privateAccess().allowedVisitors());
    owner.send(new ProxyRegistrationResult(spec.name(), true, null, null, null));
    owner.send(
        new ProxyStatusUpdate(spec.name(), ProxyStatus.HEALTHY, null, null, 1, null, null, null));
  }

  /** The private proxy {@code proxyName} of the live session {@code owner}, or null. */
  Entry find(ServerSession owner, String proxyName) {
    Entry entry = byTarget.get(target(owner.clientId(), proxyName));
    return entry != null && entry.owner == owner ? entry : null;
  }

  /** Forgets every private proxy of {@code owner}. */
  void releaseAll(ServerSession owner) {
    byTarget.values().removeIf(e -> e.owner == owner);
  }

  /** The private proxies of {@code owner}, for {@link ServerSnapshot}. */
  List<ServerSnapshot.ProxyInfo> infos(ServerSession owner) {
    return byTarget.values().stream()
        .filter(e -> e.owner == owner)
        .map(
            e ->
                new ServerSnapshot.ProxyInfo(
                    e.proxyName,
                    owner.clientId(),
                    null,
                    0,
                    dev.tlstunnel.ProxyStatus.HEALTHY,
                    0,
                    false,
                    true))
        .toList();
  }

  static String target(String clientId, String proxyName) {
    return clientId + "/" + proxyName;
  }
}
