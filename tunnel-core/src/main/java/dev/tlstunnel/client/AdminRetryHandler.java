package dev.tlstunnel.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.admin.AdminAccess;
import dev.tlstunnel.admin.Responses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API's {@code POST /api/proxies/NAME/retry}: asks the server to start a {@code
 * bind_failed} proxy's bind schedule again and answers with the {@link ProxyRetry} as JSON, with
 * 200 (restarted), 409 (refused), 404 (unknown proxy), 503 (not connected) or 504 (no answer from
 * the server). Requests a browser sends on behalf of a web page (with an {@code Origin} header) are
 * refused with 403, and one without the admin credentials (when they are set) with 401. Other
 * requests go on to the next handler. The connection closes after the answer.
 */
final class AdminRetryHandler extends ChannelInboundHandlerAdapter {
  private static final Pattern PATH = Pattern.compile("/api/proxies/([A-Za-z0-9._-]{1,64})/retry");

  private final Function<String, CompletableFuture<ProxyRetry>> retry;
  private final ObjectMapper json;
  private final AdminAccess access;

  AdminRetryHandler(
      Function<String, CompletableFuture<ProxyRetry>> retry,
      ObjectMapper json,
      AdminAccess access) {
    this.retry = retry;
    this.json = json;
    this.access = access;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || !request.decoderResult().isSuccess()) {
      ctx.fireChannelRead(msg);
      return;
    }
    Matcher path = PATH.matcher(new QueryStringDecoder(request.uri()).path());
    if (!path.matches()) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (!request.method().equals(HttpMethod.POST)) {
        FullHttpResponse refused =
            Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
        refused.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
        Responses.respondAndClose(ctx, refused);
      } else if (!access.admits(request)) {
        Responses.respondAndClose(ctx, HttpResponseStatus.UNAUTHORIZED, "authentication required");
      } else if (request.headers().contains(HttpHeaderNames.ORIGIN)) {
        Responses.respondAndClose(
            ctx, HttpResponseStatus.FORBIDDEN, "cross-origin requests are refused");
      } else {
        retry
            .apply(path.group(1))
            .whenComplete(
                (answer, failure) ->
                    Responses.respondAndClose(
                        ctx,
                        failure != null
                            ? Responses.error(
                                HttpResponseStatus.INTERNAL_SERVER_ERROR, "retry failed")
                            : answer(answer)));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private FullHttpResponse answer(ProxyRetry answer) {
    HttpResponseStatus code =
        switch (answer.outcome()) {
          case RESTARTED -> HttpResponseStatus.OK;
          case REFUSED -> HttpResponseStatus.CONFLICT;
          case UNKNOWN_PROXY -> HttpResponseStatus.NOT_FOUND;
          case NOT_CONNECTED -> HttpResponseStatus.SERVICE_UNAVAILABLE;
          case NO_ANSWER -> HttpResponseStatus.GATEWAY_TIMEOUT;
        };
    try {
      return Responses.of(code, "application/json", json.writeValueAsString(answer));
    } catch (JsonProcessingException e) {
      return Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "retry answer unavailable");
    }
  }
}
