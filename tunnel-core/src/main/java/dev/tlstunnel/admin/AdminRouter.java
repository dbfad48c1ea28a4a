package dev.tlstunnel.admin;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one aggregated request from the {@link Routes}: authentication first (401 with a basic
 * challenge when credentials are accepted), then the route; keeps the connection open when asked.
 */
final class AdminRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminRouter.class);

  private final Routes routes;
  private final AdminAccess access;

  AdminRouter(Routes routes, AdminAccess access) {
    this.routes = routes;
    this.access = access;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      boolean tooLong = request.decoderResult().cause() instanceof TooLongFrameException;
      Responses.respondAndClose(
          ctx,
          tooLong ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE : HttpResponseStatus.BAD_REQUEST,
          tooLong ? "request too large" : "bad request");
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    if (!known(path)) {
      send(ctx, request, Responses.error(HttpResponseStatus.NOT_FOUND, "not found"));
    } else if (!request.method().equals(HttpMethod.GET)) {
      FullHttpResponse refused =
          Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      refused.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
      send(ctx, request, refused);
    } else if (!path.equals("/healthz") && !access.admits(request)) {
      FullHttpResponse refused =
          Responses.error(HttpResponseStatus.UNAUTHORIZED, "authentication required");
      if (access.basic()) {
        refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"tls-tunnel\"");
      } else {
        refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      }
      send(ctx, request, refused);
    } else if (path.equals("/api/events") && routes.events != null) {
      routes.events.subscribe(ctx);
    } else {
      send(ctx, request, answer(path));
    }
  }

  private boolean known(String path) {
    if (path.equals("/healthz") || routes.exact.containsKey(path)) {
      return true;
    }
    if (path.equals("/api/events") && routes.events != null) {
      return true;
    }
    if (routes.dashboard && Assets.has(path)) {
      return true;
    }
    return routes.prefixes.keySet().stream()
        .anyMatch(p -> path.startsWith(p) && path.length() > p.length());
  }

  private FullHttpResponse answer(String path) {
    try {
      if (path.equals("/healthz")) {
        return Responses.of(HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok");
      }
      Routes.Body body = routes.exact.get(path);
      if (body != null) {
        return Responses.of(HttpResponseStatus.OK, body.type(), body.text().get());
      }
      if (routes.dashboard && Assets.has(path)) {
        return Responses.of(HttpResponseStatus.OK, Assets.type(path), Assets.bytes(path));
      }
      for (Map.Entry<String, Function<String, String>> e : routes.prefixes.entrySet()) {
        if (path.startsWith(e.getKey())) {
          String json = e.getValue().apply(path.substring(e.getKey().length()));
          return json == null
              ? Responses.error(HttpResponseStatus.NOT_FOUND, "not found")
              : Responses.of(HttpResponseStatus.OK, "application/json", json);
        }
      }
      return Responses.error(HttpResponseStatus.NOT_FOUND, "not found");
    } catch (RuntimeException e) {
      log.warn("Admin API could not answer {}", path, e);
      return Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "status unavailable");
    }
  }

  private static void send(
      ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    response.setProtocolVersion(request.protocolVersion());
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Admin API connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
