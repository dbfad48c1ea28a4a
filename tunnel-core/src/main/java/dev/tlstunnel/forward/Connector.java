package dev.tlstunnel.forward;

import dev.tlstunnel.egress.Dialer;
import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.egress.TargetResolver;
import dev.tlstunnel.protocol.EgressRequest;
import dev.tlstunnel.protocol.StreamRequests;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Makes a forwarder's outbound connection by the route its rules choose: direct (resolved once
 * here, every address checked against the direct policy, a checked address dialed), through the
 * tunnel (an egress stream; the server resolves and checks), or not at all. The channel comes with
 * auto-read off, ready for {@link #link}.
 */
final class Connector {
  private final String forwarder;
  private final Router router;
  private final EgressPolicy directPolicy;
  private final TargetResolver resolver;
  private final Executor blocking;
  private final Dialer dialer;
  private final TunnelStreams tunnel;

  Connector(
      String forwarder,
      Router router,
      EgressPolicy directPolicy,
      Executor blocking,
      Dialer dialer,
      TunnelStreams tunnel) {
    this.forwarder = forwarder;
    this.router = router;
    this.directPolicy = directPolicy;
    this.resolver = new TargetResolver(blocking);
    this.blocking = blocking;
    this.dialer = dialer;
    this.tunnel = tunnel;
  }

  /** Where this connector's targets go. */
  Router router() {
    return router;
  }

  /** What a connection attempt gave: the route taken and the channel. */
  record Outcome(Router.Decision decision, Channel channel) {}

  /** Routes and connects {@code host:port}; the promise fails with an {@link EgressException}. */
  Promise<Outcome> connect(EventLoop loop, String host, int port) {
    Promise<Outcome> promise = loop.newPromise();
    if (!router.mayResolve(host)) {
      connect(loop, host, port, router.route(host, port), promise);
      return promise;
    }
    try {
      blocking.execute(
          () -> {
            Router.Decision d = router.route(host, port);
            loop.execute(() -> connect(loop, host, port, d, promise));
          });
    } catch (RejectedExecutionException e) {
      promise.tryFailure(new EgressException(EgressFailure.FAILED, "resolver busy"));
    }
    return promise;
  }

  private void connect(
      EventLoop loop, String host, int port, Router.Decision d, Promise<Outcome> promise) {
    Promise<Channel> channel = loop.newPromise();
    channel.addListener(
        f -> {
          if (f.isSuccess()) {
            promise.trySuccess(new Outcome(d, channel.getNow()));
          } else {
            promise.tryFailure(f.cause());
          }
        });
    switch (d.via()) {
      case BLOCK ->
          channel.tryFailure(
              new EgressException(
                  EgressFailure.NOT_ALLOWED,
                  host
                      + ":"
                      + port
                      + " is blocked by forwarder '"
                      + forwarder
                      + "' "
                      + d.ruleText()));
      case DIRECT -> direct(loop, host, port, d, channel);
      case TUNNEL -> viaTunnel(host, port, channel);
    }
  }

  private void direct(
      EventLoop loop, String host, int port, Router.Decision d, Promise<Channel> channel) {
    java.util.function.Consumer<TargetResolver.Result> onChecked =
        result ->
            loop.execute(
                () -> {
                  if (!result.ok()) {
                    channel.tryFailure(result.failure());
                    return;
                  }
                  dialer
                      .dial(loop, result.addresses())
                      .addListener(
                          f -> {
                            if (f.isSuccess()) {
                              channel.trySuccess((Channel) f.getNow());
                            } else {
                              channel.tryFailure(f.cause());
                            }
                          });
                });
    if (!d.addresses().isEmpty()) {
      // Resolved once for routing: check and dial those same addresses.
      onChecked.accept(
          TargetResolver.check(
              host, d.addresses().toArray(new InetAddress[0]), port, directPolicy));
    } else {
      resolver.resolve(host, port, directPolicy, onChecked);
    }
  }

  private void viaTunnel(String host, int port, Promise<Channel> channel) {
    EgressRequest request = new EgressRequest(host, port, forwarder);
    tunnel
        .open(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream.config().setAutoRead(false);
                stream
                    .pipeline()
                    .addLast("reply", StreamRequests.replyDecoder())
                    .addLast(EgressReplyHandler.NAME, new EgressReplyHandler(channel));
              }
            })
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                channel.tryFailure(
                    new EgressException(
                        EgressFailure.TUNNEL_UNAVAILABLE,
                        "the tunnel is not connected: " + f.cause().getMessage()));
                return;
              }
              Channel stream = (Channel) f.getNow();
              stream.writeAndFlush(StreamRequests.encode(stream.alloc(), request));
              stream.read();
            });
  }

  /**
   * Relays between the application's connection and an outbound channel of {@link #connect}: what
   * {@code local}'s {@link HeldInput} kept while the target was dialled goes first. Runs on {@code
   * local}'s event loop.
   */
  static void link(Channel local, Channel outbound) {
    HeldInput.relay(local, outbound);
    if (outbound.pipeline().get(EgressReplyHandler.NAME) != null) {
      outbound.pipeline().remove(EgressReplyHandler.NAME);
    }
  }

  /** The route decision alone (for {@code route test}); may block on a look-up. */
  Router.Decision decide(String host, int port) {
    return router.route(host, port);
  }
}
