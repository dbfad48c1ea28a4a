package dev.tlstunnel.forward;

import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.relay.Channels;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Absolute-URI requests of one application connection ({@code GET http://host/path}): each goes in
 * origin form, without hop-by-hop headers and with {@code Host} set from the URI, over the route
 * its target takes. The upstream connection is kept for the next request while both sides keep
 * alive and the next request is for the same host and port; a request for another host closes it
 * and connects anew. One request at a time: the next is read only after the response is complete.
 * Reads on either side wait until the other side's write went out.
 */
final class PlainHttpForwarder {
  private final Forwarder forwarder;
  private final ChannelHandlerContext client;
  private final Queue<Object> pending = new ArrayDeque<>();
  private Channel upstream;
  private Target upstreamTarget;
  private boolean connecting;
  private boolean clientKeepAlive;
  private boolean requestDone;
  private boolean requestSent;
  private boolean clientEnded;
  private UpstreamResponseHandler response;
  private String rawAuthority;

  PlainHttpForwarder(Forwarder forwarder, ChannelHandlerContext client) {
    this.forwarder = forwarder;
    this.client = client;
  }

  void onRequest(HttpRequest request) {
    Target target = absoluteTarget(request.uri());
    if (target == null) {
      HttpResponses.sendAndClose(
          client,
          HttpResponseStatus.BAD_REQUEST,
          "this is a proxy: requests need an absolute http:// URI (or CONNECT)");
      return;
    }
    clientKeepAlive = HttpUtil.isKeepAlive(request);
    requestDone = false;
    requestSent = true;
    if (response != null) {
      response.expectResponse();
    }
    request.setUri(originForm(request.uri()));
    HttpResponses.stripHopByHop(request.headers());
    request.headers().set(HttpHeaderNames.HOST, rawAuthority);
    if (upstream != null && upstream.isActive() && target.equals(upstreamTarget)) {
      send(request);
      upstream.read(); // the response is due on the kept connection
      return;
    }
    closeUpstream();
    upstreamTarget = target;
    connecting = true;
    pending.add(request);
    forwarder
        .connector()
        .connect(client.channel().eventLoop(), target.host(), target.port())
        .addListener(
            f -> {
              connecting = false;
              if (f.isSuccess()) {
                onConnected((Connector.Outcome) f.getNow());
              } else {
                onConnectFailed(target, f.cause());
              }
            });
  }

  /** {@code http://host[:port]/...} → the target; null for anything else. */
  private Target absoluteTarget(String uri) {
    if (!uri.regionMatches(true, 0, "http://", 0, 7)) {
      return null;
    }
    int end = 7;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    rawAuthority = uri.substring(7, end);
    int at = rawAuthority.lastIndexOf('@');
    if (at >= 0) {
      rawAuthority = rawAuthority.substring(at + 1);
    }
    return Target.parseAuthority(rawAuthority, 80);
  }

  private static String originForm(String uri) {
    int start = 7;
    while (start < uri.length() && "/?#".indexOf(uri.charAt(start)) < 0) {
      start++;
    }
    String rest = uri.substring(start);
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    return rest.isEmpty() ? "/" : rest.startsWith("?") ? "/" + rest : rest;
  }

  void onContent(HttpContent content) {
    if (connecting || upstream == null) {
      pending.add(content);
      if (content instanceof LastHttpContent) {
        requestDone = true;
      }
      return;
    }
    send(content);
  }

  private void send(Object msg) {
    boolean last = msg instanceof LastHttpContent;
    if (last) {
      requestDone = true;
    }
    upstream
        .writeAndFlush(msg)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                client.close();
              } else if (!requestDone && upstream.isWritable()) {
                client.read();
              }
            });
  }

  private void onConnected(Connector.Outcome outcome) {
    Channel ch = outcome.channel();
    if (!client.channel().isActive()) {
      ch.close();
      return;
    }
    forwarder.stats().connected(outcome.decision().via());
    upstream = ch;
    response = new UpstreamResponseHandler(this, client);
    ch.pipeline().addLast("http", new HttpClientCodec(8192, 64 * 1024, 8192));
    ch.pipeline().addLast("response", response);
    if (ch.pipeline().get(EgressReplyHandler.NAME) != null) {
      ch.pipeline().remove(EgressReplyHandler.NAME);
    }
    ch.closeFuture().addListener(f -> upstreamClosed(ch));
    Object msg;
    while ((msg = pending.poll()) != null) {
      send(msg);
    }
    // Asked for here (maybe from within the tunnel stream's own read, where a stream does not
    // take it), and again by the response handler at the end of that read.
    ch.read();
  }

  private void onConnectFailed(Target target, Throwable cause) {
    releasePending();
    forwarder.failed(client.channel(), target.host(), target.port(), cause);
    EgressFailure kind = cause instanceof EgressException e ? e.failure() : EgressFailure.FAILED;
    HttpResponses.sendAndClose(client, HttpResponses.status(kind), cause.getMessage());
  }

  /** The response is complete: read the next request, or end as the client asked. */
  void responseDone(boolean upstreamKeepAlive) {
    requestSent = false;
    if (!clientKeepAlive || clientEnded) {
      Channels.closeOnFlush(client.channel());
      return;
    }
    if (!upstreamKeepAlive) {
      closeUpstream();
    }
    client.read();
  }

  boolean clientKeepAlive() {
    return clientKeepAlive;
  }

  /** An upstream that closes while a request is open ends the application connection too. */
  private void upstreamClosed(Channel ch) {
    if (ch != upstream) {
      return;
    }
    upstream = null;
    if (response.started() && !response.finished()) {
      Channels.closeOnFlush(client.channel());
    } else if (!response.started() && requestSent) {
      HttpResponses.sendAndClose(
          client,
          HttpResponseStatus.BAD_GATEWAY,
          "the server closed the connection without a response");
    }
  }

  void clientWritabilityChanged() {
    if (client.channel().isWritable() && upstream != null && !response.finished()) {
      upstream.read();
    }
  }

  /**
   * The application shut its output: true when a response is still on its way (the connection
   * closes after it), false when nothing is in flight.
   */
  boolean clientInputEnded() {
    clientEnded = true;
    return requestSent;
  }

  void clientClosed() {
    releasePending();
    closeUpstream();
  }

  /** Forgets the upstream first, so that its close is not taken for a failure. */
  private void closeUpstream() {
    Channel ch = upstream;
    upstream = null;
    if (ch != null) {
      ch.close();
    }
  }

  private void releasePending() {
    Object msg;
    while ((msg = pending.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
