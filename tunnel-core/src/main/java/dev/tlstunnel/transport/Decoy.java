package dev.tlstunnel.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an HTTP transport answers to every request that is not the tunnel: a plain {@code 404 Not
 * Found}, or the configured decoy page with {@code 200}. Nothing in it names the tunnel.
 */
final class Decoy {
  private static final byte[] NOT_FOUND = "Not Found\n".getBytes(StandardCharsets.US_ASCII);

  private final byte[] page;

  private Decoy(byte[] page) {
    this.page = page;
  }

  /** The decoy of {@code pagePath}, or the plain 404 when null. */
  static Decoy of(Path pagePath) throws IOException {
    return new Decoy(pagePath == null ? null : Files.readAllBytes(pagePath));
  }

  int status() {
    return page == null ? 404 : 200;
  }

  String contentType() {
    return page == null ? "text/plain; charset=utf-8" : "text/html; charset=utf-8";
  }

  ByteBuf body() {
    return Unpooled.wrappedBuffer(page == null ? NOT_FOUND : page);
  }

  /** Sends the decoy over HTTP/1.1 and closes the connection once it is written. */
  void respond(ChannelHandlerContext ctx, boolean head) {
    ByteBuf body = body();
    int length = body.readableBytes();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status()),
            head ? Unpooled.EMPTY_BUFFER : body);
    if (head) {
      body.release();
    }
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
