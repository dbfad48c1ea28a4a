package dev.tlstunnel.server;

import dev.tlstunnel.metrics.Traffic;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Counts the bytes of one public connection each way, into its own fields (for the closing event)
 * and into its proxy's {@link Traffic} as they pass (for live rates), and reports its opening and
 * closing to the server's listeners. Confined to the connection's event loop; per buffer it only
 * adds to two longs and one adder.
 */
final class ConnectionMeter extends ChannelDuplexHandler {
  private final ServerSession session;
  private final String proxyName;
  private final Traffic traffic;
  private InetSocketAddress peer;
  private long openedNanos;
  private long fromPeer;
  private long toPeer;

  ConnectionMeter(ServerSession session, String proxyName, Traffic traffic) {
    this.session = session;
    this.proxyName = proxyName;
    this.traffic = traffic;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    peer = (InetSocketAddress) PeerAddress.of(ctx.channel());
    openedNanos = ctx.executor().ticker().nanoTime();
    session.events().publicConnectionOpened(session.clientId(), proxyName, peer);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    long n = Traffic.size(msg);
    fromPeer += n;
    traffic.received(n);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    long n = Traffic.size(msg);
    toPeer += n;
    traffic.sent(n);
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    long nanos = ctx.executor().ticker().nanoTime() - openedNanos;
    session
        .events()
        .publicConnectionClosed(
            session.clientId(), proxyName, peer, fromPeer, toPeer, Duration.ofNanos(nanos));
    ctx.fireChannelInactive();
  }
}
