package dev.tlstunnel.server;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Tells every member of a group what the group's listener did, as {@link BindReports} tells one
 * session: one {@code proxy_status_update} (named after the member's own proxy) and one {@link
 * ServerEvent} per member. The last report is kept and replayed to a member that joins later.
 */
final class GroupBindReports implements ProxyListener.Observer {
  private final ProxyGroup group;
  private Consumer<ProxyGroup.Member> last;

  GroupBindReports(ProxyGroup group) {
    this.group = group;
  }

  @Override
  public void bound(ProxyListener proxy, int attempt, InetSocketAddress address) {
    report(
        m -> {
          m.session.send(update(m, proxy, ProxyStatus.HEALTHY, null, null, attempt, address));
          m.session.events().proxyBound(m.session.clientId(), m.proxyName, address, attempt - 1);
        });
  }

  @Override
  public void retrying(
      ProxyListener proxy, int attempt, FailureKind cause, String message, Duration delay) {
    Double seconds = delay.toMillis() / 1000.0;
    report(
        m -> {
          m.session.send(update(m, proxy, ProxyStatus.UNHEALTHY, message, seconds, attempt, null));
          m.session
              .events()
              .bindRetryScheduled(m.session.clientId(), proxy, cause, message, attempt, delay);
        });
  }

  @Override
  public void gaveUp(ProxyListener proxy, int attempt, FailureKind cause, String message) {
    report(
        m -> {
          m.session.send(update(m, proxy, ProxyStatus.BIND_FAILED, message, null, attempt, null));
          m.session.events().bindFailed(m.session.clientId(), proxy, cause, message, attempt - 1);
        });
  }

  /** Tells a member that just joined the listener's latest state, if it has one yet. */
  void replayTo(ProxyGroup.Member member) {
    Consumer<ProxyGroup.Member> latest;
    synchronized (this) {
      latest = last;
    }
    if (latest != null) {
      latest.accept(member);
    }
  }

  private void report(Consumer<ProxyGroup.Member> toMember) {
    synchronized (this) {
      last = toMember;
    }
    group.members().forEach(toMember);
  }

  private static ProxyStatusUpdate update(
      ProxyGroup.Member member,
      ProxyListener proxy,
      ProxyStatus status,
      String error,
      Double retryAfter,
      int attempt,
      InetSocketAddress bound) {
    return new ProxyStatusUpdate(
        member.proxyName,
        status,
        error,
        retryAfter,
        attempt,
        proxy.policy().maxRetries(),
        proxy.publishAddr(),
        bound != null ? bound.getPort() : proxy.publishPort());
  }
}
