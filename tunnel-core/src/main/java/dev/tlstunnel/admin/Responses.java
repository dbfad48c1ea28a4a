package dev.tlstunnel.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The admin listener's answers: JSON errors, bodies of a type, never cached. */
public final class Responses {
  private Responses() {}

  /** {@code {"error":"<message>"}}; the messages are fixed ASCII words (no escaping needed). */
  public static FullHttpResponse error(HttpResponseStatus code, String message) {
    return of(code, "application/json", "{\"error\":\"" + message + "\"}");
  }

  public static FullHttpResponse of(HttpResponseStatus code, String type, String body) {
    return of(code, type, body.getBytes(StandardCharsets.UTF_8));
  }

  public static FullHttpResponse of(HttpResponseStatus code, String type, byte[] body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    HttpUtil.setContentLength(response, body.length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  /** Answers {@link #error} and closes the connection, whatever its keep-alive. */
  public static void respondAndClose(
      ChannelHandlerContext ctx, HttpResponseStatus code, String message) {
    respondAndClose(ctx, error(code, message));
  }

  /** Answers {@code response} and closes the connection, whatever its keep-alive. */
  public static void respondAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
    HttpUtil.setKeepAlive(response, false);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
