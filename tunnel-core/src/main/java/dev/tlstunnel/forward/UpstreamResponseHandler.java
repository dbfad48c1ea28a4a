package dev.tlstunnel.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of {@link PlainHttpForwarder}: passes each response to the application without
 * hop-by-hop headers, with {@code Connection} as the application asked, and reads on while a
 * response is due and the application's connection is writable (at the end of each read, as the
 * relay does: a tunnel stream takes read requests from there). A body delimited by the end of the
 * connection is sent chunked, so the application's connection can stay open.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
  private final PlainHttpForwarder owner;
  private final ChannelHandlerContext client;
  private boolean started;
  private boolean finished;
  private boolean upstreamKeepAlive;

  UpstreamResponseHandler(PlainHttpForwarder owner, ChannelHandlerContext client) {
    this.owner = owner;
    this.client = client;
  }

  /** A new request went out on this connection. */
  void expectResponse() {
    started = false;
    finished = false;
  }

  boolean started() {
    return started;
  }

  boolean finished() {
    return finished;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpObject) || finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg); // 100 Continue and the like stay on this hop
        return;
      }
      started = true;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      boolean delimitedByClose =
          !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response);
      HttpResponses.stripHopByHop(response.headers());
      if (delimitedByClose && mayHaveBody(response)) {
        HttpUtil.setTransferEncodingChunked(response, true);
        upstreamKeepAlive = false;
      }
      response
          .headers()
          .set(
              HttpHeaderNames.CONNECTION,
              owner.clientKeepAlive() ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
    boolean last = msg instanceof LastHttpContent;
    if (last) {
      finished = true;
    }
    client
        .writeAndFlush(msg)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ctx.close();
              } else if (last) {
                owner.responseDone(upstreamKeepAlive);
              }
            });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!finished && client.channel().isWritable()) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  private static boolean mayHaveBody(HttpResponse response) {
    int code = response.status().code();
    return code != 204 && code != 304;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
