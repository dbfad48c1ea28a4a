package dev.tlstunnel.forward;

import dev.tlstunnel.egress.EgressFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** The HTTP proxy's own answers, and the hop-by-hop headers it never forwards. */
final class HttpResponses {
  private HttpResponses() {}

  /** RFC 9110 §7.6.1 and the usual non-standard ones. */
  private static final List<String> HOP_BY_HOP =
      List.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "upgrade");

  /**
   * Removes hop-by-hop headers and those named in {@code Connection}. {@code Transfer-Encoding} is
   * kept: the codec re-frames the body the same way on the next hop.
   */
  static void stripHopByHop(HttpHeaders headers) {
    for (String named : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : named.split(",")) {
        String t = token.strip().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && !t.equals("transfer-encoding")) {
          headers.remove(t);
        }
      }
    }
    HOP_BY_HOP.forEach(headers::remove);
  }

  /** The status for a failed connect: 403 refused by policy or rule, 504 timeout, else 502. */
  static HttpResponseStatus status(EgressFailure failure) {
    return switch (failure) {
      case NOT_ALLOWED -> HttpResponseStatus.FORBIDDEN;
      case TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
      default -> HttpResponseStatus.BAD_GATEWAY;
    };
  }

  /** Sends a plain-text answer and closes the connection once it is written. */
  static void sendAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
    FullHttpResponse response = plain(status, reason);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** {@code 407} asking for Basic credentials; closes the connection. */
  static void sendProxyAuthRequired(ChannelHandlerContext ctx) {
    FullHttpResponse response =
        plain(HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, "proxy authentication required");
    response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"tls-tunnel\"");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse plain(HttpResponseStatus status, String reason) {
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }
}
