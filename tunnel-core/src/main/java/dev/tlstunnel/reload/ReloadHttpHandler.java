package dev.tlstunnel.reload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.ReloadResult;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/reload}: reloads the configuration file and answers with the {@link
 * ReloadResult} as JSON ({@link ReloadJson}): 200 when it was applied, unchanged or only planned,
 * 409 when it was refused or rolled back. {@code ?dry_run=true} (or {@code {"dry_run": true}} in
 * the body) asks for the plan only; {@code {"config": "/path/file.toml"}} names the file the caller
 * means, and a process running another file refuses. A request with an {@code Origin} header (a
 * browser, on a web page's behalf) gets 403, one without the admin API's credentials 401. Other
 * requests go on to the next handler; the connection closes after the answer.
 */
public final class ReloadHttpHandler extends ChannelInboundHandlerAdapter {
  /** The path this handler answers. */
  public static final String PATH = "/api/reload";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Carries out a reload request. */
  public interface Target {
    /**
     * @param asked the file the caller means, or null
     */
    CompletableFuture<ReloadResult> reload(boolean dryRun, String asked);
  }

  private final Target target;
  private final AdminAccess access;

  /** Answers for {@code target}, to requests {@code access} admits (others get 401). */
  public ReloadHttpHandler(Target target, AdminAccess access) {
    this.target = target;
    this.access = access;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)
        || !request.decoderResult().isSuccess()
        || !new QueryStringDecoder(request.uri()).path().equals(PATH)) {
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
        handle(ctx, request);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    JsonNode body;
    try {
      String text = request.content().toString(StandardCharsets.UTF_8);
      body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      Responses.respondAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "the body is not JSON");
      return;
    }
    List<String> query =
        new QueryStringDecoder(request.uri()).parameters().getOrDefault("dry_run", List.of());
    boolean dryRun =
        body.path("dry_run").asBoolean(false)
            || query.stream().anyMatch(v -> v.equals("true") || v.equals("1") || v.isEmpty());
    String asked = body.path("config").isTextual() ? body.path("config").textValue() : null;
    CompletableFuture<ReloadResult> answer;
    try {
      answer = target.reload(dryRun, asked);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (result, failure) ->
            Responses.respondAndClose(
                ctx,
                failure != null
                    ? Responses.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload failed")
                    : answer(result)));
  }

  private static FullHttpResponse answer(ReloadResult result) {
    HttpResponseStatus code =
        ReloadLog.ok(result) ? HttpResponseStatus.OK : HttpResponseStatus.CONFLICT;
    return Responses.of(code, "application/json", ReloadJson.write(result));
  }
}
