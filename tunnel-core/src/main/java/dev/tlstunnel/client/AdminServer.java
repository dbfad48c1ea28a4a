package dev.tlstunnel.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tlstunnel.Failure;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.common.BindErrors;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.reload.ReloadHttpHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's admin API: a small HTTP/1.1 server answering {@code GET /api/status} with the {@link
 * ClientStatus} as snake_case JSON, {@code GET /healthz} with {@code ok}, and {@code POST
 * /api/proxies/NAME/retry} ({@link AdminRetryHandler}). Requests are bounded ({@value
 * #MAX_REQUEST_BYTES} bytes of body, of headers and of request line); an oversized request gets 413
 * and the connection is closed. Closing the server closes its connections too.
 */
final class AdminServer implements AutoCloseable {

  /** The bound on a request's body, header block and request line. */
  static final int MAX_REQUEST_BYTES = 8 * 1024;

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final Channel serverChannel;

  private AdminServer(EventLoopGroup group, ChannelGroup channels, Channel serverChannel) {
    this.group = group;
    this.channels = channels;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds the admin API on {@code addr:port} (port 0 picks a free one).
   *
   * @throws TunnelStartException when the bind fails, naming the address and the cause
   */
  static AdminServer start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      Supplier<ClientStatus> status,
      Function<String, CompletableFuture<ProxyRetry>> retry)
      throws TunnelStartException {
    return start(group, channelClass, addr, port, status, retry, null);
  }

  /**
   * Like the other {@code start}, also answering {@code POST /api/reload} with {@code reload}
   * (null: no such route).
   */
  static AdminServer start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      Supplier<ClientStatus> status,
      Function<String, CompletableFuture<ProxyRetry>> retry,
      ReloadHttpHandler.Target reload)
      throws TunnelStartException {
    ObjectMapper json =
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    ChannelGroup channels = new DefaultChannelGroup("admin-api", GlobalEventExecutor.INSTANCE);
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(channelClass)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    channels.add(ch);
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(
                                MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES),
                            new ClosingAggregator(),
                            new AdminRetryHandler(retry, json));
                    if (reload != null) {
                      ch.pipeline().addLast(new ReloadHttpHandler(reload));
                    }
                    ch.pipeline().addLast(new AdminHandler(status));
                  }
                })
            .bind(addr, port)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new TunnelStartException(
          Failure.of(
              BindErrors.classify(bind.cause()),
              "cannot start admin API on "
                  + Addresses.hostPort(addr, port)
                  + ": "
                  + BindErrors.describe("admin API listener", addr, port, bind.cause()),
              bind.cause()));
    }
    channels.add(bind.channel());
    log.info("Admin API listening on {}", Addresses.hostPort(addr, port(bind.channel())));
    return new AdminServer(group, channels, bind.channel());
  }

  /** The port actually bound. */
  int port() {
    return port(serverChannel);
  }

  /** Closes the listener and every open connection; waits unless called from the event loop. */
  @Override
  public void close() {
    var closed = channels.close();
    for (EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return;
      }
    }
    closed.awaitUninterruptibly();
  }

  private static int port(Channel channel) {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Answers an oversized request with 413 and closes the connection, whatever its keep-alive. */
  private static final class ClosingAggregator extends HttpObjectAggregator {
    ClosingAggregator() {
      super(MAX_REQUEST_BYTES, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      AdminHandler.respondAndClose(
          ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large");
    }
  }

  /** Routes one aggregated request to its answer; keeps the connection open when asked to. */
  private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<ClientStatus> status;

    AdminHandler(Supplier<ClientStatus> status) {
      this.status = status;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        boolean tooLong = request.decoderResult().cause() instanceof TooLongFrameException;
        respondAndClose(
            ctx,
            tooLong ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE : HttpResponseStatus.BAD_REQUEST,
            tooLong ? "request too large" : "bad request");
        return;
      }
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      if (!path.equals("/api/status") && !path.equals("/healthz")) {
        response = error(HttpResponseStatus.NOT_FOUND, "not found");
      } else if (!request.method().equals(HttpMethod.GET)) {
        response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
        response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
      } else if (path.equals("/healthz")) {
        response = response(HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok");
      } else {
        response = statusResponse();
      }
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

    private FullHttpResponse statusResponse() {
      try {
        String body = status.get().toJson();
        return response(HttpResponseStatus.OK, "application/json", body);
      } catch (Exception e) {
        log.warn("Admin API could not produce the client status", e);
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "status unavailable");
      }
    }

    static void respondAndClose(
        ChannelHandlerContext ctx, HttpResponseStatus code, String message) {
      FullHttpResponse response = error(code, message);
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse error(HttpResponseStatus code, String message) {
      // The messages are fixed ASCII words: no JSON escaping needed.
      return response(code, "application/json", "{\"error\":\"" + message + "\"}");
    }

    private static FullHttpResponse response(HttpResponseStatus code, String type, String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, code, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
      return response;
    }
  }
}
