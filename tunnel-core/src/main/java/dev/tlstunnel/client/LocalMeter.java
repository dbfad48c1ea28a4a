package dev.tlstunnel.client;

import dev.tlstunnel.metrics.Traffic;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes of one local service connection each way, into its own fields (for the closing
 * event) and into its proxy's {@link Traffic} as they pass; reports the close. Confined to the
 * client's event loop; per buffer it only adds to two longs and one adder.
 */
final class LocalMeter extends ChannelDuplexHandler {
  private final StreamObserver observer;
  private final String proxy;
  private final String peer;
  private final Traffic traffic;
  private final long openedNanos;
  private long toService;
  private long fromService;

  LocalMeter(StreamObserver observer, String proxy, String peer, long openedNanos) {
    this.observer = observer;
    this.proxy = proxy;
    this.peer = peer;
    this.traffic = observer.traffic(proxy);
    this.openedNanos = openedNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    long n = Traffic.size(msg);
    fromService += n;
    traffic.sent(n);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    long n = Traffic.size(msg);
    toService += n;
    traffic.received(n);
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    long nanos = ctx.executor().ticker().nanoTime() - openedNanos;
    observer.closed(proxy, peer, toService, fromService, nanos);
    ctx.fireChannelInactive();
  }
}
