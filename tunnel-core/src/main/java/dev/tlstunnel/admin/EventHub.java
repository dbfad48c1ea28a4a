package dev.tlstunnel.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;

/**
 * The server-sent event stream of {@code GET /api/events}: each subscriber gets every published
 * event as {@code event: <name>} and one {@code data:} line of JSON. A subscriber that does not
 * keep up (its connection stops being writable) is closed rather than buffered for; browsers'
 * {@code EventSource} reconnects by itself, after the {@code retry} the stream announces.
 */
public final class EventHub {
  private final ChannelGroup subscribers =
      new DefaultChannelGroup("admin-events", GlobalEventExecutor.INSTANCE);

  /** Answers {@code ctx}'s request with the stream's head and keeps it subscribed. */
  void subscribe(ChannelHandlerContext ctx) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.write(head);
    ctx.writeAndFlush(chunk(Unpooled.copiedBuffer("retry: 1000\n\n", StandardCharsets.UTF_8)));
    subscribers.add(ctx.channel());
  }

  /** Sends {@code event} with {@code json} (one line) to every subscriber. */
  public void publish(String event, String json) {
    if (subscribers.isEmpty()) {
      return;
    }
    ByteBuf text =
        Unpooled.copiedBuffer(
            "event: " + event + "\ndata: " + json + "\n\n", StandardCharsets.UTF_8);
    try {
      for (Channel ch : subscribers) {
        if (ch.isWritable()) {
          ch.writeAndFlush(chunk(text.retainedDuplicate()));
        } else {
          ch.close();
        }
      }
    } finally {
      text.release();
    }
  }

  /** Whether anyone listens (events need not be built otherwise). */
  public boolean hasSubscribers() {
    return !subscribers.isEmpty();
  }

  /** Subscribers connected now. */
  public int subscribers() {
    return subscribers.size();
  }

  /** Closes every stream. */
  void close() {
    subscribers.close();
  }

  private static DefaultHttpContent chunk(ByteBuf bytes) {
    return new DefaultHttpContent(bytes);
  }
}
