package dev.tlstunnel.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-peer detection on a tunnel connection: pings the peer every {@code interval} and closes the
 * connection when nothing at all was read for {@code timeout} (any inbound byte counts as life, a
 * ping answer included). Sits right after TLS, so it sees every frame. Logs the drop once (at WARN,
 * or at DEBUG where the connection's owner reports it in its own line) and fires {@link PeerSilent}
 * down the pipeline just before closing. Both timers live on the channel's event loop and are
 * cancelled when the channel closes.
 */
public final class DeadPeerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(DeadPeerHandler.class);

  /** Fired just before the connection is closed for silence. */
  public record PeerSilent(long silentMillis, long timeoutMillis) {
    /** {@code "no data from <peer> for 1003 ms (keepalive timeout 1000 ms)"}. */
    public String describe(String peer) {
      return "no data from "
          + peer
          + " for "
          + silentMillis
          + " ms (keepalive timeout "
          + timeoutMillis
          + " ms)";
    }
  }

  private final long intervalNanos;
  private final long timeoutNanos;
  private final Consumer<Channel> pinger;
  private final Supplier<String> label;
  private final AtomicInteger armed;
  private final boolean warn;
  private long lastReadNanos;
  private ScheduledFuture<?> pingTimer;
  private ScheduledFuture<?> deadline;
  private boolean started;
  private boolean stopped;

  /**
   * @param pinger sends one ping on the channel (e.g. a yamux ping)
   * @param label names the connection in the log line, e.g. {@code "[client=c1] server a:7000"}
   * @param armed counts handlers whose timers are running, for snapshots; may be shared
   */
  public DeadPeerHandler(
      Duration interval,
      Duration timeout,
      Consumer<Channel> pinger,
      Supplier<String> label,
      AtomicInteger armed) {
    this(interval, timeout, pinger, label, armed, true);
  }

  /**
   * @param warn whether the drop is logged at WARN; false when whoever handles {@link PeerSilent}
   *     reports it (it is then logged at DEBUG)
   */
  public DeadPeerHandler(
      Duration interval,
      Duration timeout,
      Consumer<Channel> pinger,
      Supplier<String> label,
      AtomicInteger armed,
      boolean warn) {
    this.warn = warn;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.pinger = pinger;
    this.label = label;
    this.armed = armed;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered() && !behindTls(ctx)) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!behindTls(ctx)) {
      start(ctx);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
      start(ctx);
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * Behind TLS the clock starts once the handshake is done (it has its own timeout); a handler
   * added after that (below a transport adapter set up after TLS) starts at once.
   */
  private static boolean behindTls(ChannelHandlerContext ctx) {
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    return tls != null && !tls.handshakeFuture().isSuccess();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = now(ctx);
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    armed.incrementAndGet();
    lastReadNanos = now(ctx);
    pingTimer =
        ctx.executor()
            .scheduleAtFixedRate(
                () -> pinger.accept(ctx.channel()),
                intervalNanos,
                intervalNanos,
                TimeUnit.NANOSECONDS);
    deadline = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (stopped) {
      return;
    }
    long silent = now(ctx) - lastReadNanos;
    if (silent < timeoutNanos) {
      deadline =
          ctx.executor().schedule(() -> check(ctx), timeoutNanos - silent, TimeUnit.NANOSECONDS);
      return;
    }
    PeerSilent event =
        new PeerSilent(
            TimeUnit.NANOSECONDS.toMillis(silent), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    if (warn) {
      log.warn("{}: {}; closing the connection", label.get(), event.describe("the peer"));
    } else {
      log.debug("{}: {}; closing the connection", label.get(), event.describe("the peer"));
    }
    stop();
    ctx.fireUserEventTriggered(event);
    ctx.close();
  }

  /** The event loop's clock (a mock one in tests), else the system's. */
  private static long now(ChannelHandlerContext ctx) {
    return ctx.executor() instanceof AbstractScheduledEventExecutor loop
        ? loop.ticker().nanoTime()
        : System.nanoTime();
  }

  private void stop() {
    if (!started || stopped) {
      return;
    }
    stopped = true;
    armed.decrementAndGet();
    pingTimer.cancel(false);
    deadline.cancel(false);
  }
}
