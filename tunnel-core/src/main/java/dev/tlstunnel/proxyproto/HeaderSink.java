package dev.tlstunnel.proxyproto;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Behind the {@link HeaderSniffer} (and the decoder, when there is a header): holds the
 * connection's setup until its endpoints are known, from the decoded header or, without one, from
 * the socket; then runs the caller's setup, replays {@code channelActive} for the handlers it
 * added, and holds the bytes that followed the header until those handlers ask to read. Enforces
 * the deadline and reports malformed or missing headers.
 */
final class HeaderSink extends ChannelDuplexHandler {
  private final boolean required;
  private final Duration timeout;
  private final Endpoints socket;
  private final Consumer<Endpoints> ready;
  private final InboundProxyProtocol.Refusals refusals;
  private ScheduledFuture<?> timer;
  private boolean activeHeld;
  private boolean proceeded;
  private boolean refused;
  private ByteBuf held;

  HeaderSink(
      boolean required,
      Duration timeout,
      Endpoints socket,
      Consumer<Endpoints> ready,
      InboundProxyProtocol.Refusals refusals) {
    this.required = required;
    this.timeout = timeout;
    this.socket = socket;
    this.ready = ready;
    this.refusals = refusals;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> onTimeout(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (proceeded) {
      ctx.fireChannelActive();
      return;
    }
    activeHeld = true;
    ctx.read();
  }

  /** The sniffer needs more bytes to tell. */
  void needMore(ChannelHandlerContext snifferCtx) {
    if (!snifferCtx.channel().config().isAutoRead()) {
      snifferCtx.read();
    }
  }

  /** The connection starts without a header (the sniffer checked {@code use} allows that). */
  void noHeader(ChannelHandlerContext snifferCtx) {
    if (proceeded) {
      return; // the deadline passed first, and use went on without a header
    }
    if (required) {
      refuse(snifferCtx, "it does not start with a PROXY protocol header");
      return;
    }
    proceed(snifferCtx.pipeline().context(this), socket);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage header) {
      try {
        if (!proceeded) {
          proceed(ctx, endpoints(header));
        }
      } finally {
        header.release();
      }
      return;
    }
    if (!(msg instanceof ByteBuf bytes) || !proceeded) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (held == null) {
      held = bytes;
    } else {
      ByteBuf joined = ctx.alloc().buffer(held.readableBytes() + bytes.readableBytes());
      joined.writeBytes(held).writeBytes(bytes);
      held.release();
      bytes.release();
      held = joined;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (proceeded) {
      ctx.fireChannelReadComplete();
    } else if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  private void proceed(ChannelHandlerContext ctx, Endpoints endpoints) {
    proceeded = true;
    cancelTimer();
    ready.accept(endpoints);
    if (activeHeld && ctx.channel().isActive()) {
      ctx.fireChannelActive();
    }
  }

  /** The handlers behind ask to read: first the bytes that followed the header, then the socket. */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!proceeded) {
      ctx.read();
      return;
    }
    ByteBuf bytes = held;
    held = null;
    ctx.pipeline().remove(this);
    if (bytes != null) {
      ctx.fireChannelRead(bytes);
      ctx.fireChannelReadComplete();
      if (ctx.channel().config().isAutoRead()) {
        // This read request was answered from what was held, so it did not reach the socket: NIO
        // keeps reading under auto-read anyway, but io_uring reads again only when asked.
        ctx.read();
      }
    } else {
      ctx.read();
    }
  }

  private void onTimeout(ChannelHandlerContext ctx) {
    if (proceeded || !ctx.channel().isActive()) {
      return;
    }
    if (required) {
      refuse(ctx, "no PROXY protocol header within " + timeout.toMillis() + " ms");
    } else {
      proceed(ctx, socket);
    }
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    cancelTimer();
    if (!refused) {
      refused = true;
      refusals.refused(ctx.channel(), why);
    }
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (proceeded) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    refuse(ctx, "malformed PROXY protocol header: " + cause.getMessage());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    if (proceeded) {
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimer();
    ReferenceCountUtil.release(held);
    held = null;
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** The header's addresses; the socket's for {@code LOCAL} and for other than TCP over IP. */
  private Endpoints endpoints(HAProxyMessage header) {
    HAProxyProxiedProtocol p = header.proxiedProtocol();
    boolean tcp = p == HAProxyProxiedProtocol.TCP4 || p == HAProxyProxiedProtocol.TCP6;
    if (header.command() != HAProxyCommand.PROXY || !tcp) {
      return socket;
    }
    InetAddress source = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
    InetAddress dest = NetUtil.createInetAddressFromIpAddressString(header.destinationAddress());
    if (source == null || dest == null) {
      return socket;
    }
    return new Endpoints(
        new InetSocketAddress(source, header.sourcePort()),
        new InetSocketAddress(dest, header.destinationPort()),
        true);
  }
}
