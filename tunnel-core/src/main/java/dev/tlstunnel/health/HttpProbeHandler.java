package dev.tlstunnel.health;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * Sends the check's request once connected and judges the response: its status must be one the
 * check accepts and, with {@code expect_body}, its first {@value #MAX_BODY} bytes must contain that
 * text. The probe ends with the verdict (the run closes the connection).
 */
final class HttpProbeHandler extends SimpleChannelInboundHandler<HttpObject> {
  /** The most body bytes searched for {@code expect_body}. */
  static final int MAX_BODY = 64 * 1024;

  private final HttpProbeSpec expected;
  private final ProbeRun run;
  private StringBuilder body;
  private int status;

  HttpProbeHandler(HttpProbeSpec expected, ProbeRun run) {
    this.expected = expected;
    this.run = run;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(expected.request())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                run.failed("cannot send the request", f.cause());
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (run.finished()) {
      return;
    }
    if (msg.decoderResult().isFailure()) {
      run.failed("malformed response from " + expected.path(), msg.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpResponse response) {
      status = response.status().code();
      if (!expected.accepts(status)) {
        run.finish(ProbeResult.failed("HTTP " + status + " from " + expected.path()));
        return;
      }
      if (expected.body() == null) {
        run.finish(ProbeResult.PASSED);
        return;
      }
      body = new StringBuilder();
    }
    if (msg instanceof HttpContent content && body != null) {
      readBody(content);
    }
  }

  private void readBody(HttpContent content) {
    ByteBuf bytes = content.content();
    int room = MAX_BODY - body.length();
    if (room > 0) {
      int n = Math.min(room, bytes.readableBytes());
      body.append(bytes.toString(bytes.readerIndex(), n, StandardCharsets.UTF_8));
    }
    if (body.indexOf(expected.body()) >= 0) {
      run.finish(ProbeResult.PASSED);
    } else if (content instanceof LastHttpContent || body.length() >= MAX_BODY) {
      run.finish(
          ProbeResult.failed(
              "HTTP "
                  + status
                  + " from "
                  + expected.path()
                  + " without '"
                  + expected.body()
                  + "'"));
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    run.finish(ProbeResult.failed("connection closed before a full response"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    run.failed("request to " + expected.path() + " failed", cause);
  }
}
