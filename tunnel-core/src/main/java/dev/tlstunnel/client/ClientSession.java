package dev.tlstunnel.client;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.ControlCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a client to its server: dial, TLS, control stream, and the ending. Its state is
 * read by the admin API from another thread, hence the volatile fields.
 */
final class ClientSession {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final ClientContext context;
  private final EventLoopGroup group;
  private final SslContext sslContext;
  private final ProxyStateTracker tracker;
  private final CompletableFuture<ClientExit> exit = new CompletableFuture<>();
  private volatile String state = "connecting";
  private volatile String lastError;
  private volatile Channel tunnel;

  ClientSession(ClientContext context, EventLoopGroup group, SslContext sslContext) {
    this.context = context;
    this.group = group;
    this.sslContext = sslContext;
    this.tracker = new ProxyStateTracker(context.config().proxies(), Clock.systemUTC());
    tracker.onChange(this::onProxyChange);
  }

  ProxyStateTracker tracker() {
    return tracker;
  }

  CompletableFuture<ClientExit> exit() {
    return exit;
  }

  String state() {
    return state;
  }

  String lastError() {
    return lastError;
  }

  String server() {
    return context.config().serverAddr() + ":" + context.config().serverPort();
  }

  /** Dials the server. */
  void connect() {
    String host = context.config().serverAddr();
    int port = context.config().serverPort();
    if (context.config().skipVerify() && context.config().serverFingerprint() == null) {
      log.warn("Connecting to {} with client.skip_verify: the server is not verified", server());
    }
    ChannelFuture connect =
        new Bootstrap()
            .group(group)
            .channel(context.transport().socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc(), host, port));
                    YamuxMultiplexHandler.addTo(
                        ch.pipeline(), context.yamux(), true, new ClientInboundStreams(context));
                    ch.pipeline().addLast("tail", new ClientTailHandler());
                  }
                })
            .connect(host, port);
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            finish(
                ClientExit.Reason.CONNECTION_FAILED,
                "cannot reach server " + server() + ": " + rootMessage(f.cause()));
            return;
          }
          onConnected(connect.channel());
        });
  }

  private void onConnected(Channel ch) {
    tunnel = ch;
    ch.closeFuture().addListener(f -> onTunnelClosed());
    ch.pipeline()
        .get(SslHandler.class)
        .handshakeFuture()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                finish(
                    ClientExit.Reason.CONNECTION_FAILED,
                    "TLS handshake with server " + server() + " failed: " + rootMessage(f.cause()));
                return;
              }
              openControlStream(ch);
            });
  }

  private void openControlStream(Channel ch) {
    YamuxMultiplexHandler.get(ch)
        .openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                ControlCodec.addTo(stream.pipeline());
                stream
                    .pipeline()
                    .addLast("control", new ClientControlHandler(context, ClientSession.this));
              }
            })
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                finish(
                    ClientExit.Reason.CONNECTION_FAILED,
                    "cannot open the control stream: " + rootMessage(f.cause()));
              }
            });
  }

  void connected() {
    state = "connected";
    lastError = null;
  }

  void authFailed(String reason) {
    log.error("Server {} refused this client: {}", server(), reason);
    finish(ClientExit.Reason.AUTH_FAILED, reason);
  }

  void controlClosed() {
    Channel ch = tunnel;
    if (ch != null) {
      ch.close();
    }
  }

  private void onTunnelClosed() {
    tracker.onSessionLost();
    if (!exit.isDone()) {
      state = "disconnected";
      finish(ClientExit.Reason.CONNECTION_FAILED, "connection to server " + server() + " lost");
    }
  }

  private void onProxyChange(ProxyState proxy) {
    boolean failed = "bind_failed".equals(proxy.status()) || "rejected".equals(proxy.status());
    if (failed && context.config().exitOnBindFailure()) {
      finish(
          ClientExit.Reason.BIND_FAILURE,
          "Proxy '" + proxy.name() + "' " + proxy.status() + ": " + proxy.error());
    }
  }

  /** Ends the client once, with the reason; closes the tunnel. */
  void finish(ClientExit.Reason reason, String message) {
    if (!exit.complete(new ClientExit(reason, message))) {
      return;
    }
    if (reason != ClientExit.Reason.CLOSED) {
      lastError = message;
      log.error("{}", message);
    }
    state = reason == ClientExit.Reason.CLOSED ? "closed" : "disconnected";
    Channel ch = tunnel;
    if (ch != null) {
      ch.close();
    }
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }
}
