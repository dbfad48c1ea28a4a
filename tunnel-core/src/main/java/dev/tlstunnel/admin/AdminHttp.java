package dev.tlstunnel.admin;

import dev.tlstunnel.Failure;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.common.BindErrors;
import dev.tlstunnel.config.Addresses;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * One admin listener, the same for server and client: bounded HTTP/1.1 ({@value #MAX_REQUEST_BYTES}
 * bytes of request line, of headers and of body; more gets 413 and the connection closes), the
 * owner's own handlers first (e.g. the client's retry POST), then {@link AdminRouter}. Closing it
 * closes its connections and event streams too.
 */
public final class AdminHttp implements AutoCloseable {
  /** The bound on a request's body, header block and request line. */
  public static final int MAX_REQUEST_BYTES = 8 * 1024;

  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final Channel serverChannel;
  private final EventHub events;

  private AdminHttp(EventLoopGroup group, ChannelGroup channels, Channel server, EventHub events) {
    this.group = group;
    this.channels = channels;
    this.serverChannel = server;
    this.events = events;
  }

  /**
   * Binds on {@code addr:port} (0 picks a free port) and logs {@code "<what> listening on ..."}.
   *
   * @param before handlers that see each request before the routes, made per connection
   * @throws TunnelStartException when the bind fails, naming the address and the cause
   */
  public static AdminHttp start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      AdminAccess access,
      Routes routes,
      List<Supplier<ChannelHandler>> before,
      String what,
      Logger log)
      throws TunnelStartException {
    ChannelGroup channels = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
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
                            new ClosingAggregator());
                    before.forEach(handler -> ch.pipeline().addLast(handler.get()));
                    ch.pipeline().addLast(new AdminRouter(routes, access));
                  }
                })
            .bind(addr, port)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new TunnelStartException(
          Failure.of(
              BindErrors.classify(bind.cause()),
              "cannot start "
                  + what
                  + " on "
                  + Addresses.hostPort(addr, port)
                  + ": "
                  + BindErrors.describe(what + " listener", addr, port, bind.cause()),
              bind.cause()));
    }
    channels.add(bind.channel());
    log.info(
        "{} listening on {}{}",
        Character.toUpperCase(what.charAt(0)) + what.substring(1),
        Addresses.hostPort(addr, port(bind.channel())),
        access.required() ? " (authentication required)" : "");
    return new AdminHttp(group, channels, bind.channel(), routes.events);
  }

  /** The port actually bound. */
  public int port() {
    return port(serverChannel);
  }

  /** Closes the listener, every connection and event stream; waits unless on an event loop. */
  @Override
  public void close() {
    if (events != null) {
      events.close();
    }
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
      Responses.respondAndClose(
          ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request too large");
    }
  }
}
