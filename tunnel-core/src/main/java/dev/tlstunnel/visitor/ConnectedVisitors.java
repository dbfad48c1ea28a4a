package dev.tlstunnel.visitor;

import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.StreamHeader;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's side: which visitors have connections open on each private proxy of this client,
 * counted from the headers of the streams the server opens. Also refuses a stream whose header does
 * not fit its proxy (a visit to a public proxy, or a public connection to a private one).
 * Thread-safe.
 */
public final class ConnectedVisitors {
  private static final Logger log = LoggerFactory.getLogger(ConnectedVisitors.class);

  private final Map<String, Map<String, Integer>> byProxy = new HashMap<>();

  /**
   * Counts the stream while it is open and returns true, or returns false when the stream does not
   * belong to {@code proxy}.
   */
  public boolean admit(ProxyConfig proxy, StreamHeader header, Channel stream) {
    boolean visit = header.visitor() != null;
    if (visit != proxy.isPrivate()) {
      log.warn(
          "Server opened a {} stream for {} proxy '{}'; closing it",
          visit ? "visitor" : "public",
          proxy.isPrivate() ? "private" : "public",
          proxy.name());
      return false;
    }
    if (visit) {
      String visitor = header.visitor();
      change(proxy.name(), visitor, 1);
      stream.closeFuture().addListener(f -> change(proxy.name(), visitor, -1));
    }
    return true;
  }

  private synchronized void change(String proxy, String visitor, int delta) {
    Map<String, Integer> visitors = byProxy.computeIfAbsent(proxy, k -> new TreeMap<>());
    visitors.merge(visitor, delta, Integer::sum);
    if (visitors.get(visitor) <= 0) {
      visitors.remove(visitor);
    }
    if (visitors.isEmpty()) {
      byProxy.remove(proxy);
    }
  }

  /** The visitors connected to {@code proxy} right now, by client id. */
  public synchronized List<ConnectedVisitor> of(String proxy) {
    List<ConnectedVisitor> list = new ArrayList<>();
    byProxy.getOrDefault(proxy, Map.of()).forEach((id, n) -> list.add(new ConnectedVisitor(id, n)));
    return list;
  }
}
