package dev.tlstunnel.egress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Connects to checked addresses exactly as given (never a host name), in order until one answers,
 * on the caller's event loop with auto-read off and half-close allowed, ready for the relay.
 */
public final class Dialer {
  private final Class<? extends Channel> channelClass;
  private final Duration timeout;

  public Dialer(Class<? extends Channel> channelClass, Duration timeout) {
    this.channelClass = channelClass;
    this.timeout = timeout;
  }

  /** Connects the first address that answers; the promise fails with an {@link EgressException}. */
  public Promise<Channel> dial(EventLoop loop, List<InetSocketAddress> addresses) {
    Promise<Channel> promise = loop.newPromise();
    loop.execute(() -> attempt(loop, addresses, 0, promise, null));
    return promise;
  }

  private void attempt(
      EventLoop loop,
      List<InetSocketAddress> addresses,
      int index,
      Promise<Channel> promise,
      Throwable last) {
    if (promise.isDone()) {
      return;
    }
    if (index >= addresses.size()) {
      promise.tryFailure(describe(addresses, last));
      return;
    }
    InetSocketAddress target = addresses.get(index);
    if (target.isUnresolved()) {
      throw new IllegalArgumentException("not a checked address: " + target);
    }
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(channelClass)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    // the caller adds the relay once connected
                  }
                })
            .connect(target);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            if (!promise.trySuccess(connect.channel())) {
              connect.channel().close();
            }
          } else {
            attempt(loop, addresses, index + 1, promise, f.cause());
          }
        });
  }

  private static EgressException describe(List<InetSocketAddress> addresses, Throwable cause) {
    String where =
        addresses.size() == 1
            ? hostPort(addresses.get(0))
            : addresses.size()
                + " addresses (last "
                + hostPort(addresses.get(addresses.size() - 1))
                + ")";
    String text = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
    String lower = text.toLowerCase(Locale.ROOT);
    EgressFailure kind;
    if (cause instanceof ConnectTimeoutException || lower.contains("timed out")) {
      kind = EgressFailure.TIMEOUT;
      text = "connect timed out";
    } else if (lower.contains("refused")) {
      kind = EgressFailure.REFUSED;
      text = "connection refused";
    } else if (cause instanceof NoRouteToHostException || lower.contains("unreachable")) {
      kind = EgressFailure.UNREACHABLE;
    } else {
      kind = EgressFailure.FAILED;
    }
    return new EgressException(kind, "cannot connect to " + where + ": " + text);
  }

  static String hostPort(InetSocketAddress a) {
    String host = Addresses.text(a.getAddress());
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
