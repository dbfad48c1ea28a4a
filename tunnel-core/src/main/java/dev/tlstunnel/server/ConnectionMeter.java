package dev.tlstunnel.server;

import dev.tlstunnel.transport.PeerAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Counts the bytes of one public connection each way and reports its opening and closing to the
 * server's listeners. Installed only while a listener is registered. Confined to the connection's
 * event loop.
 */
final class ConnectionMeter extends ChannelDuplexHandler {
  private final ServerSession session;
  private final String proxyName;
  private InetSocketAddress peer;
  private long openedNanos;
  private long fromPeer;
  private long toPeer;

  ConnectionMeter(ServerSession session, String proxyName) {
    this.session = session;
    this.proxyName = proxyName;
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
    fromPeer += size(msg);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    toPeer += size(msg);
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

  private static long size(Object msg) {
    if (msg instanceof ByteBuf buf) {
      return buf.readableBytes();
    }
    return msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : 0;
  }
}
