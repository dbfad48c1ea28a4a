package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * The yamux session on a tunnel channel. Sits after the frame codec; creates one child channel per
 * stream. Child channels run on the parent's event loop, start with the parent's allocator and
 * honour auto-read, writability and {@code shutdownOutput()} (FIN). Use {@link #addTo} to install
 * the codec and this handler together.
 */
public final class YamuxMultiplexHandler extends ChannelDuplexHandler {
  private final YamuxConfig config;
  private final LimitLog limitLog;
  private final boolean client;
  private final SessionWriter writer = new SessionWriter();
  private final StreamRegistry streams;
  private final FrameDispatcher dispatcher;
  private final Pings pings = new Pings(writer);
  private final ReceiveBudget receiveBudget;
  private final SessionState state;
  private volatile ChannelHandlerContext ctx;

  /**
   * @param config session tuning
   * @param client true on the side that dialed the connection (opens odd stream ids)
   * @param inboundStreamInitializer added to the pipeline of every stream the peer opens
   */
  public YamuxMultiplexHandler(
      YamuxConfig config, boolean client, ChannelHandler inboundStreamInitializer) {
    this(config, LimitLog.EVERY_LINE, client, inboundStreamInitializer);
  }

  /**
   * @param config session tuning
   * @param limitLog writes the lines about a peer hitting a bound that it can repeat at will
   * @param client true on the side that dialed the connection (opens odd stream ids)
   * @param inboundStreamInitializer added to the pipeline of every stream the peer opens
   */
  public YamuxMultiplexHandler(
      YamuxConfig config,
      LimitLog limitLog,
      boolean client,
      ChannelHandler inboundStreamInitializer) {
    this.config = config;
    this.limitLog = limitLog;
    this.client = client;
    this.receiveBudget = new ReceiveBudget(config.maxSessionWindow());
    this.streams = new StreamRegistry(this, writer, config, inboundStreamInitializer);
    this.state = new SessionState(streams, writer, pings);
    this.dispatcher = new FrameDispatcher(this, streams);
  }

  /** Adds the yamux frame codec and a multiplex handler to the end of {@code pipeline}. */
  public static void addTo(
      ChannelPipeline pipeline, YamuxConfig config, boolean client, ChannelHandler inboundInit) {
    addTo(pipeline, config, LimitLog.EVERY_LINE, client, inboundInit);
  }

  /**
   * Like {@link #addTo(ChannelPipeline, YamuxConfig, boolean, ChannelHandler)}, with a limit log.
   */
  public static void addTo(
      ChannelPipeline pipeline,
      YamuxConfig config,
      LimitLog limitLog,
      boolean client,
      ChannelHandler inboundInit) {
    pipeline.addLast(
        "yamux-decoder",
        new YamuxFrameDecoder(config.maxReceiveWindow(), config.names().maxReceiveWindow()));
    pipeline.addLast("yamux-encoder", YamuxFrameEncoder.INSTANCE);
    pipeline.addLast("yamux", new YamuxMultiplexHandler(config, limitLog, client, inboundInit));
  }

  /**
   * The session of a tunnel channel, or of the tunnel a stream channel belongs to; null if there is
   * none.
   */
  public static YamuxMultiplexHandler get(Channel channel) {
    if (channel instanceof YamuxStreamChannel) {
      return ((YamuxStreamChannel) channel).session();
    }
    return channel.pipeline().get(YamuxMultiplexHandler.class);
  }

  /**
   * Resets a stream channel (RST to the peer, child closes at once); a channel that is not a yamux
   * stream is closed. May be called from any thread.
   */
  public static void reset(Channel stream) {
    if (stream instanceof YamuxStreamChannel child) {
      child.eventLoop().execute(child::resetStream);
    } else {
      stream.close();
    }
  }

  /** True if {@code stream} is a yamux stream that ended with a reset (sent or received). */
  public static boolean isReset(Channel stream) {
    return stream instanceof YamuxStreamChannel && ((YamuxStreamChannel) stream).isReset();
  }

  /**
   * Opens a stream. The initializer is added to the child pipeline before it is registered; the
   * future completes with the child channel (its SYN leaves with the first flush, so it shares a
   * TLS record with the stream's first data), or fails if the session is closed, going away or at
   * its stream limit. May be called from any thread.
   */
  public Future<Channel> openStream(ChannelHandler initializer) {
    return onLoop(promise -> openStream0(initializer, promise));
  }

  /** Sends a ping; the future completes with the round-trip time in nanoseconds. */
  public Future<Long> ping() {
    return onLoop(this::ping0);
  }

  /** Whether the peer sent go-away (it is shutting down and takes no new streams); any thread. */
  public boolean peerWentAway() {
    return state.isRemoteGoAway();
  }

  /** Sends go-away with the given code (0 normal, 1 protocol error, 2 internal error). */
  public void goAway(int code) {
    ChannelHandlerContext c = ctx;
    if (c != null) {
      c.channel().eventLoop().execute(() -> state.goAway(code));
    }
  }

  /** Streams open right now. */
  public int streamCount() {
    return streams.count();
  }

  /** Bytes received on this session's streams and not yet read by their pipelines; any thread. */
  public long receiveBuffered() {
    return receiveBudget.buffered();
  }

  /**
   * How far the receive windows of the open streams grew beyond the initial 256 KiB, in all (at
   * most {@link YamuxConfig#maxSessionWindow()}); any thread.
   */
  public long receiveWindowGrowth() {
    return receiveBudget.granted();
  }

  /**
   * The smoothed round-trip time of this session's pings in nanoseconds, 0 before any; any thread.
   */
  public long rttNanos() {
    return pings.rttNanos();
  }

  // ---- API on the event loop ----

  private <T> Future<T> onLoop(Consumer<Promise<T>> task) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(
          new IllegalStateException("yamux handler is not in a pipeline"));
    }
    EventLoop loop = c.channel().eventLoop();
    Promise<T> promise = loop.newPromise();
    if (loop.inEventLoop()) {
      task.accept(promise);
    } else {
      loop.execute(() -> task.accept(promise));
    }
    return promise;
  }

  private void openStream0(ChannelHandler initializer, Promise<Channel> promise) {
    String refusal = state.openRefusal();
    if (refusal != null) {
      promise.setFailure(new ChannelException("cannot open yamux stream: " + refusal));
      return;
    }
    streams.open(initializer, promise);
  }

  private void ping0(Promise<Long> promise) {
    if (state.isClosed()) {
      promise.setFailure(new ClosedChannelException());
      return;
    }
    pings.send(promise);
  }

  // ---- pipeline events ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    writer.attach(ctx);
    state.attach(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof YamuxFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    writer.readStarted();
    YamuxFrame frame = (YamuxFrame) msg;
    try {
      if (!state.isClosed()) {
        dispatcher.dispatch(frame);
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    writer.readCompleted();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    writer.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    endSession();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    endSession();
  }

  /**
   * The session ends. A read loop that closed the channel may not get its read-complete (an {@link
   * io.netty.channel.embedded.EmbeddedChannel} fires none once closed): its children's deferred
   * read-completes run now, so a stream whose peer's FIN came in that read still hands its reader
   * the end of input (and closes after it).
   */
  private void endSession() {
    state.shutdown();
    if (writer.inReadLoop()) {
      writer.readCompleted();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // TLS failures arrive wrapped in a DecoderException from the SslHandler before us: they are
    // not yamux protocol errors, and the tail handler reports them.
    if (cause instanceof DecoderException && !(cause.getCause() instanceof SSLException)) {
      state.protocolError("malformed frame: " + cause.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  // ---- services for frames and stream channels (event loop only) ----

  YamuxConfig config() {
    return config;
  }

  LimitLog limitLog() {
    return limitLog;
  }

  Channel parentChannel() {
    return ctx.channel();
  }

  boolean isClient() {
    return client;
  }

  SessionState state() {
    return state;
  }

  StreamRegistry streams() {
    return streams;
  }

  SessionWriter writer() {
    return writer;
  }

  Pings pings() {
    return pings;
  }

  ReceiveBudget receiveBudget() {
    return receiveBudget;
  }
}
