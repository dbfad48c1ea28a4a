package dev.tlstunnel.client;

import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.StreamHeader;
import dev.tlstunnel.proxyproto.ProxyHeaders;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream the server opened: reads its header, connects the proxy's local service on the stream's
 * event loop (with retries), then hands both channels to the relay. Bytes that arrive before the
 * local connection is up wait in a {@link HeldInput} (bounded by the stream's window) and are
 * written first. When every attempt fails, the stream is closed, which closes the public
 * connection.
 */
final class LocalConnectHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(LocalConnectHandler.class);

  /** The proxy a stream belongs to, once its header is read (a reload may close its streams). */
  static final AttributeKey<String> PROXY = AttributeKey.valueOf("tls-tunnel.proxy");

  private final ClientContext context;
  private StreamHeader header;
  private long startedNanos;
  private boolean closed;

  LocalConnectHandler(ClientContext context) {
    this.context = context;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (header != null) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!(msg instanceof StreamHeader h)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    header = h;
    startedNanos = ctx.executor().ticker().nanoTime();
    ctx.channel().attr(PROXY).set(h.proxyName());
    ctx.pipeline().addAfter(ctx.name(), HeldInput.NAME, new HeldInput());
    Map<String, ProxyConfig> proxies = context.proxiesByName();
    ProxyConfig proxy = proxies.get(h.proxyName());
    if (proxy == null) {
      log.warn("Server opened a stream for unknown proxy '{}'; closing it", h.proxyName());
      context
          .streams()
          .failed(h.proxyName(), peer(), "unknown_proxy", "no proxy of that name is configured");
      ctx.close();
      return;
    }
    if (!context.visitors().connected().admit(proxy, h, ctx.channel())) {
      ctx.close();
      return;
    }
    connect(ctx, proxy, 1);
  }

  private void connect(ChannelHandlerContext ctx, ProxyConfig proxy, int attempt) {
    Channel stream = ctx.channel();
    if (closed) {
      return;
    }
    ChannelFuture connect = context.dialer().dial(stream, proxy);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            onConnected(ctx, proxy, connect.channel());
          } else {
            onConnectFailed(ctx, proxy, attempt, f.cause());
          }
        });
  }

  private void onConnected(ChannelHandlerContext ctx, ProxyConfig proxy, Channel local) {
    if (closed || !ctx.channel().isActive()) {
      local.close();
      return;
    }
    if (proxy.proxyProtocol() != null) {
      ProxyHeaders.write(
          local,
          proxy.proxyProtocol(),
          PeerEndpoints.source(header),
          PeerEndpoints.destination(header, local));
    }
    long now = ctx.executor().ticker().nanoTime();
    StreamObserver streams = context.streams();
    streams.traffic(header.proxyName()).dialed(now - startedNanos);
    streams.opened(header.proxyName(), peer(), now - startedNanos);
    local.pipeline().addLast("meter", new LocalMeter(streams, header.proxyName(), peer(), now));
    Channel stream = ctx.channel();
    ctx.pipeline().remove(this);
    HeldInput.relay(stream, local);
  }

  private String peer() {
    return header.peerAddr() + ":" + header.peerPort();
  }

  private void onConnectFailed(
      ChannelHandlerContext ctx, ProxyConfig proxy, int attempt, Throwable cause) {
    int attempts = context.config().localConnectRetries() + 1;
    if (attempt < attempts && !closed) {
      long delay = context.config().localRetryDelay().toNanos();
      ctx.executor().schedule(() -> connect(ctx, proxy, attempt + 1), delay, TimeUnit.NANOSECONDS);
      return;
    }
    log.warn(
        "[proxy={}] cannot connect to local service {}:{} for {}:{} after {} attempts: {}",
        proxy.name(),
        proxy.localAddr(),
        proxy.localPort(),
        header.peerAddr(),
        header.peerPort(),
        attempts,
        cause.getMessage());
    context
        .streams()
        .failed(
            proxy.name(),
            peer(),
            "local_connect_failed",
            "cannot connect to local service "
                + proxy.localAddr()
                + ":"
                + proxy.localPort()
                + " after "
                + attempts
                + " attempts: "
                + cause.getMessage());
    YamuxMultiplexHandler.reset(ctx.channel());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed = true;
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Stream {} failed before relaying: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
