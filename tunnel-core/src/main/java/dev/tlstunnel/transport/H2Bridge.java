package dev.tlstunnel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream as the tunnel's byte stream, below yamux, on top of Netty's {@link
 * Http2FrameCodec}: DATA on the tunnel stream is passed up as bytes and its flow-control window is
 * returned at once (yamux's own windows bound what is buffered), written buffers leave as DATA. The
 * end of the tunnel stream (END_STREAM, RST_STREAM, GOAWAY) closes the connection. Subclasses open
 * (client) or accept (server) the stream.
 */
abstract class H2Bridge extends Http2ChannelDuplexHandler {
  /** Stream and connection receive windows: 16 MiB, so one stream is never throttled by HTTP/2. */
  static final int WINDOW = 16 * 1024 * 1024;

  /** The largest DATA frame this side accepts: 64 KiB (fewer frames than the 16 KiB default). */
  static final int MAX_FRAME = 64 * 1024;

  private final Duration pingInterval;
  private ScheduledFuture<?> pinger;
  private Http2FrameStream tunnel;
  private boolean unflushed;

  H2Bridge(Duration pingInterval) {
    this.pingInterval = pingInterval;
  }

  /** The settings both sides announce. */
  static Http2Settings settings() {
    return new Http2Settings()
        .initialWindowSize(WINDOW)
        .maxFrameSize(MAX_FRAME)
        .maxConcurrentStreams(16)
        .maxHeaderListSize(16 * 1024);
  }

  @Override
  protected void handlerAdded0(ChannelHandlerContext ctx) throws Exception {
    Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
    var connection = codec.connection();
    connection
        .local()
        .flowController()
        .incrementWindowSize(connection.connectionStream(), WINDOW - 65_535);
    ctx.flush();
    if (pingInterval != null && pingInterval.toNanos() > 0) {
      long nanos = pingInterval.toNanos();
      pinger =
          ctx.executor()
              .scheduleAtFixedRate(
                  () -> ctx.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime())),
                  nanos,
                  nanos,
                  TimeUnit.NANOSECONDS);
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (pinger != null) {
      pinger.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    handlerRemoved0(ctx);
    super.channelInactive(ctx);
  }

  /** The tunnel stream is open both ways from now on. */
  final void tunnel(Http2FrameStream stream) {
    this.tunnel = stream;
  }

  final boolean isTunnel(Http2FrameStream stream) {
    return tunnel != null && stream != null && tunnel.id() == stream.id();
  }

  final boolean hasTunnel() {
    return tunnel != null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2DataFrame data) {
      data(ctx, data);
    } else if (msg instanceof Http2HeadersFrame headers) {
      headers(ctx, headers);
    } else if (msg instanceof Http2ResetFrame reset && isTunnel(reset.stream())) {
      ctx.close();
    } else if (msg instanceof Http2GoAwayFrame goAway) {
      goAway.release();
      ctx.close();
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void data(ChannelHandlerContext ctx, Http2DataFrame data) {
    int bytes = data.initialFlowControlledBytes();
    if (bytes > 0) {
      ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(data.stream()));
      unflushed = true;
    }
    boolean end = data.isEndStream();
    if (isTunnel(data.stream())) {
      ByteBuf content = data.content();
      if (content.isReadable()) {
        ctx.fireChannelRead(content);
      } else {
        content.release();
      }
      if (end) {
        ctx.close();
      }
    } else {
      data.release();
      streamData(ctx, data.stream(), end);
    }
  }

  /** HEADERS arrived; the tunnel's own response or a new request. */
  abstract void headers(ChannelHandlerContext ctx, Http2HeadersFrame headers);

  /** DATA arrived on a stream that is not the tunnel (a request body); already released. */
  void streamData(ChannelHandlerContext ctx, Http2FrameStream stream, boolean end) {}

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      if (tunnel == null) {
        buf.release();
        promise.setFailure(new IllegalStateException("HTTP/2 tunnel stream not open"));
        return;
      }
      ctx.write(new DefaultHttp2DataFrame(buf, false).stream(tunnel), promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Http2FrameStreamException e && !isTunnel(e.stream())) {
      return; // a decoy request went wrong; the codec has reset that stream
    }
    ctx.fireExceptionCaught(cause);
  }
}
