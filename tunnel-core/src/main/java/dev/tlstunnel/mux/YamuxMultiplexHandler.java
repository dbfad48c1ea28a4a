package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The yamux session on a tunnel channel. Sits after the frame codec; creates one child channel per
 * stream. Child channels run on the parent's event loop, start with the parent's allocator and
 * honour auto-read, writability and {@code shutdownOutput()} (FIN). Use {@link #addTo} to install
 * the codec and this handler together.
 */
public final class YamuxMultiplexHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(YamuxMultiplexHandler.class);
  private static final long UNKNOWN_RTT_NANOS = 1_000_000L;
  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  private final YamuxConfig config;
  private final boolean client;
  private final ChannelHandler inboundStreamInitializer;
  private final IntObjectMap<YamuxStreamChannel> streams = new IntObjectHashMap<>();
  private final Set<Integer> halfClosedByUs = new HashSet<>();
  private final ArrayDeque<YamuxStreamChannel> readCompletePending = new ArrayDeque<>();
  private final ArrayDeque<YamuxStreamChannel> writeBlocked = new ArrayDeque<>();
  private final Pings pings = new Pings();
  private volatile ChannelHandlerContext ctx;
  private volatile int streamCount;
  private long nextStreamId;
  private long rttNanos = UNKNOWN_RTT_NANOS;
  private boolean inReadLoop;
  private boolean flushPending;
  private boolean closed;
  private boolean localGoAway;
  private boolean remoteGoAway;
  private boolean rttProbed;

  /**
   * @param config session tuning
   * @param client true on the side that dialed the connection (opens odd stream ids)
   * @param inboundStreamInitializer added to the pipeline of every stream the peer opens
   */
  public YamuxMultiplexHandler(
      YamuxConfig config, boolean client, ChannelHandler inboundStreamInitializer) {
    this.config = config;
    this.client = client;
    this.inboundStreamInitializer = inboundStreamInitializer;
    this.nextStreamId = client ? 1 : 2;
  }

  /** Adds the yamux frame codec and a multiplex handler to the end of {@code pipeline}. */
  public static void addTo(
      ChannelPipeline pipeline, YamuxConfig config, boolean client, ChannelHandler inboundInit) {
    pipeline.addLast("yamux-decoder", new YamuxFrameDecoder(config.maxReceiveWindow()));
    pipeline.addLast("yamux-encoder", YamuxFrameEncoder.INSTANCE);
    pipeline.addLast("yamux", new YamuxMultiplexHandler(config, client, inboundInit));
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
   * Resets a stream channel (RST to the peer, child closes at once). May be called from any thread.
   */
  public static void reset(Channel stream) {
    if (!(stream instanceof YamuxStreamChannel)) {
      throw new IllegalArgumentException(stream + " is not a yamux stream");
    }
    YamuxStreamChannel child = (YamuxStreamChannel) stream;
    child.eventLoop().execute(child::resetStream);
  }

  /** True if {@code stream} is a yamux stream that ended with a reset (sent or received). */
  public static boolean isReset(Channel stream) {
    return stream instanceof YamuxStreamChannel && ((YamuxStreamChannel) stream).isReset();
  }

  /**
   * Opens a stream. The initializer is added to the child pipeline before it is registered; the
   * future completes with the child channel once the SYN was written, or fails if the session is
   * closed, going away or at its stream limit. May be called from any thread.
   */
  public Future<Channel> openStream(ChannelHandler initializer) {
    return onLoop(promise -> openStream0(initializer, promise));
  }

  /** Sends a ping; the future completes with the round-trip time in nanoseconds. */
  public Future<Long> ping() {
    return onLoop(this::ping0);
  }

  /** Sends go-away with the given code (0 normal, 1 protocol error, 2 internal error). */
  public void goAway(int code) {
    ChannelHandlerContext c = ctx;
    if (c != null) {
      c.channel().eventLoop().execute(() -> goAway0(code));
    }
  }

  /** Streams open right now. */
  public int streamCount() {
    return streamCount;
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
    String refusal = refusal();
    if (refusal != null) {
      promise.setFailure(new ChannelException("cannot open yamux stream: " + refusal));
      return;
    }
    int id = (int) nextStreamId;
    nextStreamId += 2;
    YamuxStreamChannel child = new YamuxStreamChannel(this, id);
    ChannelPromise syn = ctx.newPromise();
    ctx.write(YamuxFrame.windowUpdate(YamuxFrame.FLAG_SYN, id, 0), syn);
    addStream(child, initializer);
    flushParent();
    syn.addListener(
        f -> {
          if (f.isSuccess()) {
            promise.trySuccess(child);
          } else {
            promise.tryFailure(f.cause());
            child.close();
          }
        });
  }

  private String refusal() {
    if (closed || !ctx.channel().isActive()) {
      return "session " + ctx.channel() + " is closed";
    }
    if (remoteGoAway) {
      return "peer sent go-away on " + ctx.channel();
    }
    if (localGoAway) {
      return "go-away was sent on " + ctx.channel();
    }
    if (streams.size() >= config.maxStreams()) {
      return "stream limit " + config.maxStreams() + " reached on " + ctx.channel();
    }
    if (nextStreamId > MAX_STREAM_ID - 1) {
      return "stream ids exhausted on " + ctx.channel();
    }
    return null;
  }

  private void addStream(YamuxStreamChannel child, ChannelHandler initializer) {
    streams.put(child.streamId(), child);
    streamCount = streams.size();
    child.pipeline().addLast(initializer);
    ctx.channel()
        .eventLoop()
        .register(child)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.warn("[yamux {}] cannot register {}", ctx.channel(), child, f.cause());
                child.unsafe().closeForcibly();
              }
            });
  }

  private void ping0(Promise<Long> promise) {
    if (closed) {
      promise.setFailure(new ClosedChannelException());
      return;
    }
    writeFrame(YamuxFrame.ping(YamuxFrame.FLAG_SYN, pings.add(promise)));
    flushParent();
  }

  private void goAway0(int code) {
    if (closed) {
      return;
    }
    localGoAway = true;
    writeFrame(YamuxFrame.goAway(code));
    flushParent();
  }

  // ---- pipeline events ----

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      probeRtt();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    probeRtt();
    ctx.fireChannelActive();
  }

  private void probeRtt() {
    if (!rttProbed) {
      rttProbed = true;
      ping0(ctx.channel().eventLoop().newPromise());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof YamuxFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    inReadLoop = true;
    YamuxFrame frame = (YamuxFrame) msg;
    try {
      if (!closed) {
        new FrameDispatcher(this).dispatch(frame);
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    YamuxStreamChannel child;
    while ((child = readCompletePending.poll()) != null) {
      child.readComplete();
    }
    inReadLoop = false;
    if (flushPending) {
      flushPending = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    YamuxStreamChannel child;
    while (ctx.channel().isWritable() && (child = writeBlocked.poll()) != null) {
      child.resumeWrite();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    shutdownSession();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    shutdownSession();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      protocolError("malformed frame: " + cause.getMessage());
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void shutdownSession() {
    if (closed) {
      return;
    }
    closed = true;
    for (YamuxStreamChannel child : new ArrayList<>(streams.values())) {
      child.unsafe().close(child.unsafe().voidPromise());
    }
    streams.clear();
    streamCount = 0;
    halfClosedByUs.clear();
    readCompletePending.clear();
    writeBlocked.clear();
    pings.failAll(new ClosedChannelException());
  }

  // ---- services for frames and stream channels (event loop only) ----

  YamuxConfig config() {
    return config;
  }

  Channel parentChannel() {
    return ctx.channel();
  }

  boolean isClient() {
    return client;
  }

  ChannelHandler inboundStreamInitializer() {
    return inboundStreamInitializer;
  }

  boolean isLocalGoAway() {
    return localGoAway;
  }

  IntObjectMap<YamuxStreamChannel> streams() {
    return streams;
  }

  Set<Integer> halfClosedByUs() {
    return halfClosedByUs;
  }

  Pings pings() {
    return pings;
  }

  void onRemoteGoAway(int code) {
    if (code == YamuxFrame.GO_AWAY_NORMAL) {
      log.info("[yamux {}] peer sent go-away; no new streams will be opened", ctx.channel());
      remoteGoAway = true;
      return;
    }
    log.warn("[yamux {}] peer sent go-away with error code {}; closing", ctx.channel(), code);
    closed = true;
    ctx.close();
  }

  void acceptStream(int id) {
    YamuxStreamChannel child = new YamuxStreamChannel(this, id);
    writeFrame(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, id, 0));
    flushParent();
    addStream(child, inboundStreamInitializer);
  }

  void updateRtt(long nanos) {
    rttNanos = Math.max(nanos, 1);
  }

  long rttNanos() {
    return rttNanos;
  }

  int maxFramePayload() {
    return config.maxFramePayload();
  }

  boolean inReadLoop() {
    return inReadLoop;
  }

  void scheduleReadComplete(YamuxStreamChannel child) {
    if (!readCompletePending.contains(child)) {
      readCompletePending.add(child);
    }
  }

  boolean parentWritable() {
    return ctx.channel().isWritable();
  }

  void waitForParentWritable(YamuxStreamChannel child) {
    if (!writeBlocked.contains(child)) {
      writeBlocked.add(child);
    }
  }

  void writeFrame(YamuxFrame frame) {
    ctx.write(frame, ctx.voidPromise());
  }

  void flushParent() {
    if (inReadLoop) {
      flushPending = true;
    } else {
      ctx.flush();
    }
  }

  void sendReset(int id) {
    writeFrame(YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, id, 0));
    flushParent();
  }

  /** Called by a closing child: tells the peer (FIN or RST) as needed and forgets the stream. */
  void streamClosed(
      YamuxStreamChannel child, boolean reset, boolean unread, boolean finSent, boolean finRcvd) {
    if (streams.remove(child.streamId()) == null || closed) {
      return;
    }
    streamCount = streams.size();
    writeBlocked.remove(child);
    if (reset || (finSent && finRcvd)) {
      return;
    }
    if (unread) {
      sendReset(child.streamId());
      return;
    }
    if (!finSent) {
      writeFrame(YamuxFrame.windowUpdate(YamuxFrame.FLAG_FIN, child.streamId(), 0));
      flushParent();
    }
    if (!finRcvd) {
      halfClosedByUs.add(child.streamId());
    }
  }

  /** A peer violated the protocol: go-away with protocol error, then close the session. */
  void protocolError(String reason) {
    if (closed) {
      return;
    }
    log.warn("[yamux {}] protocol error: {}; closing session", ctx.channel(), reason);
    localGoAway = true;
    ChannelHandlerContext c = ctx;
    c.writeAndFlush(YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR))
        .addListener(ChannelFutureListener.CLOSE);
    shutdownSession();
  }
}
