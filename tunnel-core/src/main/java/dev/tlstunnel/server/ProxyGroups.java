package dev.tlstunnel.server;

import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.LoadBalancing.Strategy;
import dev.tlstunnel.protocol.GroupSpec;
import dev.tlstunnel.protocol.ProxySpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's load-balancing groups, by name. The first member creates a group (its key, strategy
 * and publish address are the group's) and starts the group's one listener, which binds with the
 * usual retries on that member's loop; later members must give the same key, strategy and address.
 * The group and its listener end with its last member.
 */
final class ProxyGroups {
  private static final Logger LISTENER_LOG =
      LoggerFactory.getLogger("dev.tlstunnel.server.ProxyListener");

  /** A join: the member, or why it was refused. */
  record Joined(ProxyGroup group, ProxyGroup.Member member, String refusal) {}

  private final ServerContext context;
  private final Map<String, ProxyGroup> byName = new HashMap<>();

  ProxyGroups(ServerContext context) {
    this.context = context;
  }

  /** Joins (or creates) {@code spec}'s group for {@code session}. */
  Joined join(ServerSession session, ProxySpec spec, BindRetryPolicy policy) {
    GroupSpec asked = spec.group();
    Strategy strategy =
        asked.strategy() == null ? Strategy.ROUND_ROBIN : Strategy.fromConfigName(asked.strategy());
    if (strategy == null) {
      return refused(
          "unknown strategy '" + asked.strategy() + "' for group '" + asked.name() + "'");
    }
    String key = asked.key() == null ? "" : asked.key();
    PublicPortInitializer init =
        new PublicPortInitializer(session, spec.name(), context.proxyProtocol);
    ProxyGroup.Member member = new ProxyGroup.Member(session, spec.name(), asked.priority(), init);
    ProxyGroup group;
    boolean created = false;
    synchronized (this) {
      group = byName.get(asked.name());
      if (group != null) {
        String refusal = mismatch(group, spec, key, strategy);
        if (refusal != null) {
          return refused(refusal);
        }
      } else {
        group = new ProxyGroup(asked.name(), key, strategy, spec.publishAddr(), spec.publishPort());
        byName.put(group.name, group);
        created = true;
      }
      group.add(member);
    }
    if (created) {
      start(group, session.eventLoop(), policy);
    }
    return new Joined(group, member, null);
  }

  private static String mismatch(ProxyGroup g, ProxySpec spec, String key, Strategy strategy) {
    if (!MessageDigest.isEqual(
        g.key.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
      return "group_key does not match the key of group '" + g.name + "'";
    }
    if (strategy != g.strategy) {
      return "group '"
          + g.name
          + "' uses strategy "
          + g.strategy.configName()
          + ", not "
          + strategy.configName();
    }
    if (g.publishPort != spec.publishPort() || !g.publishAddr.equals(spec.publishAddr())) {
      return "group '"
          + g.name
          + "' publishes "
          + Addresses.hostPort(g.publishAddr, g.publishPort)
          + ", not "
          + Addresses.hostPort(spec.publishAddr(), spec.publishPort());
    }
    return null;
  }

  private void start(ProxyGroup group, EventLoop loop, BindRetryPolicy policy) {
    GroupAcceptor acceptor = new GroupAcceptor(group, context.logs);
    ProxyListener listener =
        new ProxyListener(
            LISTENER_LOG,
            "Group",
            group.name,
            group.publishAddr,
            group.publishPort,
            policy,
            loop,
            address ->
                new ServerBootstrap()
                    .group(loop)
                    .channel(context.transport.serverChannelClass())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(acceptor)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(address),
            group.reports);
    group.listener(listener);
    listener.start();
    ScheduledFuture<?> tick =
        loop.scheduleAtFixedRate(group::publishIfChanged, 1, 1, TimeUnit.SECONDS);
    group.onClose(() -> tick.cancel(false));
  }

  /** {@code session}'s member {@code proxyName} leaves; the last member closes the group. */
  void leave(ServerSession session, ProxyGroup group, String proxyName) {
    boolean empty;
    synchronized (this) {
      empty = group.remove(session, proxyName);
      if (empty) {
        byName.remove(group.name, group);
      }
    }
    if (empty) {
      group.close();
    } else {
      group.publishIfChanged();
    }
  }

  /** Every group with its members, for {@link ServerSnapshot}. */
  List<ServerSnapshot.GroupInfo> infos() {
    List<ProxyGroup> groups;
    synchronized (this) {
      groups = List.copyOf(byName.values());
    }
    return groups.stream().map(ProxyGroups::info).toList();
  }

  private static ServerSnapshot.GroupInfo info(ProxyGroup g) {
    ProxyListener l = g.listener();
    var bound = l == null ? null : l.boundAddress();
    return new ServerSnapshot.GroupInfo(
        g.name,
        g.strategy.configName(),
        g.publishAddr,
        g.publishPort,
        l == null ? dev.tlstunnel.ProxyStatus.PENDING : l.status(),
        bound != null ? bound.getPort() : 0,
        g.memberStates());
  }

  private static Joined refused(String why) {
    return new Joined(null, null, why);
  }
}
