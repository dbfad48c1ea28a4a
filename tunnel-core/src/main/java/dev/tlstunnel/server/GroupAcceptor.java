package dev.tlstunnel.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a group's listening channel, in place of Netty's acceptor: each accepted connection, not yet
 * registered with an event loop, goes to the member the group chooses and is registered on that
 * member's session loop with the member's {@link PublicPortInitializer}, so that it lives on the
 * same loop as the member's tunnel, exactly like a connection of a proxy of its own. With no member
 * serving, the connection is closed at once.
 */
@ChannelHandler.Sharable
final class GroupAcceptor extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(GroupAcceptor.class);

  private final ProxyGroup group;
  private final RateLimitedLog logs;

  GroupAcceptor(ProxyGroup group, RateLimitedLog logs) {
    this.group = group;
    this.logs = logs;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    ProxyGroup.Member member = group.choose();
    if (member == null) {
      logs.warn(
          log,
          "group-empty:" + group.name,
          "Group '{}' has no member serving; closing connection from {}",
          group.name,
          child.remoteAddress());
      child.unsafe().closeForcibly();
      return;
    }
    child.config().setOption(ChannelOption.AUTO_READ, false);
    child.config().setOption(ChannelOption.TCP_NODELAY, true);
    child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    child.pipeline().addLast(member.initializer);
    member.active.incrementAndGet();
    child.closeFuture().addListener(f -> member.active.decrementAndGet());
    // registered on the member's loop: its handlers, gate and stream run there
    member
        .session
        .eventLoop()
        .register(child)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.debug("Group '{}': cannot register a connection: {}", group.name, f.cause());
                member.active.decrementAndGet();
                child.unsafe().closeForcibly();
              }
            });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // accept errors (e.g. too many open files): the server channel stays open, as Netty's does
    log.warn("Group '{}' failed to accept a connection: {}", group.name, cause.toString());
  }
}
