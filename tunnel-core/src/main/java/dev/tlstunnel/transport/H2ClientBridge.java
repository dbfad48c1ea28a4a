package dev.tlstunnel.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.concurrent.Promise;
import java.time.Duration;

/**
 * The client's side of the h2 transport: opens one stream with a {@code CONNECT} request and, when
 * the server answers {@code 200}, completes {@code ready}; the stream then carries the tunnel.
 */
final class H2ClientBridge extends H2Bridge {
  private final Http2Headers request;
  private final String what;
  private final Promise<Void> ready;
  private Http2FrameStream stream;

  H2ClientBridge(Http2Headers request, String what, Duration pingInterval, Promise<Void> ready) {
    super(pingInterval);
    this.request = request;
    this.what = what;
    this.ready = ready;
  }

  @Override
  protected void handlerAdded0(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded0(ctx);
    stream = newStream();
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(request, false).stream(stream))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
              }
            });
  }

  @Override
  void headers(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
    if (stream == null || frame.stream().id() != stream.id() || hasTunnel()) {
      ctx.close(); // trailers on the tunnel, or a stream the server should not have started
      return;
    }
    CharSequence status = frame.headers().status();
    if (status == null || !"200".contentEquals(status) || frame.isEndStream()) {
      ready.tryFailure(
          new TransportException(
              "the HTTP/2 CONNECT request to "
                  + what
                  + " failed: server answered "
                  + status
                  + "; check that the server's transport is h2 (and that a proxy in between"
                  + " passes CONNECT)"));
      ctx.close();
      return;
    }
    tunnel(stream);
    ready.trySuccess(null);
  }
}
