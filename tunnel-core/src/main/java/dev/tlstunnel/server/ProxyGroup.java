package dev.tlstunnel.server;

import dev.tlstunnel.GroupMember;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.LoadBalancing.Strategy;
import dev.tlstunnel.protocol.GroupStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A load-balancing group: proxies of several sessions that publish one port. The group has the one
 * listener of that port; each connection it accepts goes to one member that serves (its session is
 * open and not shutting down, its local service passes its check), chosen by the group's strategy.
 * Members join and leave from their sessions' event loops and the listener chooses on its own, so
 * the member list is guarded by this object's monitor.
 */
final class ProxyGroup {
  /** One member: a session's proxy in the group. */
  static final class Member {
    final ServerSession session;
    final String proxyName;
    final int priority;
    final PublicPortInitializer initializer;
    final AtomicInteger active = new AtomicInteger();

    Member(ServerSession session, String proxyName, int priority, PublicPortInitializer init) {
      this.session = session;
      this.proxyName = proxyName;
      this.priority = priority;
      this.initializer = init;
    }

    boolean serving() {
      return session.accepting() && session.health().serving(proxyName);
    }
  }

  final String name;
  final String key;
  final Strategy strategy;
  final String publishAddr;
  final int publishPort;
  final GroupBindReports reports = new GroupBindReports(this);

  /** The most members one {@code group_status} lists. */
  static final int MAX_REPORTED_MEMBERS = 256;

  private final List<Member> members = new ArrayList<>();
  private List<GroupMember> published = List.of();
  private ProxyListener listener;
  private Runnable closeTask;
  private int cursor;

  ProxyGroup(String name, String key, Strategy strategy, String publishAddr, int publishPort) {
    this.name = name;
    this.key = key;
    this.strategy = strategy;
    this.publishAddr = publishAddr;
    this.publishPort = publishPort;
  }

  synchronized void listener(ProxyListener l) {
    this.listener = l;
  }

  /** Runs {@code task} when the group closes. */
  synchronized void onClose(Runnable task) {
    this.closeTask = task;
  }

  /** The last member left: the listener closes and the tick stops. */
  void close() {
    Runnable task;
    ProxyListener l;
    synchronized (this) {
      task = closeTask;
      l = listener;
    }
    if (task != null) {
      task.run();
    }
    if (l != null) {
      l.close();
    }
  }

  synchronized ProxyListener listener() {
    return listener;
  }

  synchronized void add(Member m) {
    members.add(m);
  }

  /** Removes {@code session}'s member {@code proxyName}; returns whether the group is now empty. */
  synchronized boolean remove(ServerSession session, String proxyName) {
    members.removeIf(m -> m.session == session && m.proxyName.equals(proxyName));
    return members.isEmpty();
  }

  synchronized List<Member> members() {
    return List.copyOf(members);
  }

  /** Every member's state right now, in the order they joined. */
  List<GroupMember> memberStates() {
    return members().stream()
        .map(
            m ->
                new GroupMember(
                    m.session.clientId(), m.proxyName, m.serving(), m.active.get(), m.priority))
        .toList();
  }

  /**
   * Sends every member the group's state ({@code group_status}) when it differs from the last one
   * sent: after a join, a leave or a change of health, and on the group's one-second tick while
   * connection counts move.
   */
  void publishIfChanged() {
    List<GroupMember> now = memberStates();
    synchronized (this) {
      if (now.equals(published)) {
        return;
      }
      published = now;
    }
    List<GroupStatus.Member> wire =
        now.stream()
            .limit(MAX_REPORTED_MEMBERS)
            .map(
                m ->
                    new GroupStatus.Member(
                        m.clientId(),
                        m.proxyName(),
                        m.serving(),
                        m.activeConnections(),
                        m.priority()))
            .toList();
    for (Member m : members()) {
      m.session.send(
          new GroupStatus(
              m.proxyName, name, strategy.configName(), publishAddr, publishPort, wire));
    }
  }

  /** The member the next connection goes to, or null when none serves. */
  synchronized Member choose() {
    return switch (strategy) {
      case ROUND_ROBIN -> nextInTurn(null);
      case LEAST_CONNECTIONS -> leastConnections();
      case RANDOM -> random();
      case FAILOVER -> highestPriority();
    };
  }

  /** The next serving member in turn; with {@code among}, only those it accepts. */
  private Member nextInTurn(Predicate<Member> among) {
    int n = members.size();
    for (int i = 0; i < n; i++) {
      Member m = members.get((cursor + i) % n);
      if (m.serving() && (among == null || among.test(m))) {
        cursor = (cursor + i + 1) % n;
        return m;
      }
    }
    return null;
  }

  private Member leastConnections() {
    int least = Integer.MAX_VALUE;
    for (Member m : members) {
      if (m.serving()) {
        least = Math.min(least, m.active.get());
      }
    }
    int fewest = least;
    Member m = nextInTurn(c -> c.active.get() == fewest);
    // counts move while we look: when the fewest changed meanwhile, the next serving one in turn
    return m != null ? m : nextInTurn(null);
  }

  private Member random() {
    List<Member> serving = members.stream().filter(Member::serving).toList();
    return serving.isEmpty()
        ? null
        : serving.get(ThreadLocalRandom.current().nextInt(serving.size()));
  }

  private Member highestPriority() {
    Member best = null;
    for (Member m : members) {
      if (m.serving() && (best == null || m.priority > best.priority)) {
        best = m;
      }
    }
    return best;
  }
}
