package dev.tlstunnel.client;

import static dev.tlstunnel.Errors.rootMessage;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.ControlCodec;
import dev.tlstunnel.relay.DeadPeerHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a client to its server: dial, TLS, keepalive, control stream, and its single
 * ending, reported to the {@link Listener}. A new session is made for every attempt. Confined to
 * the client's event loop.
 */
final class ClientSession {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  /** Hears how a session went. Called on the event loop. */
  interface Listener {
    /** The server accepted the key: the session is up. */
    void onConnected(ClientSession session);

    /** The session ended, once. */
    void onEnded(ClientSession session, Ending ending);
  }

  /** How a session ended. */
  enum Kind {
    /** Unreachable, TLS failed, or the connection was lost. */
    FAILED,
    /** The server refused the key or the client id. */
    AUTH_FAILED,
    /** The server's certificate failed verification (CA, host name or pinned fingerprint). */
    UNTRUSTED,
    /** Closed by this client. */
    CLOSED
  }

  /** A session's ending, with one line for the user. */
  record Ending(Kind kind, String message) {}

  private final ClientContext context;
  private final EventLoop loop;
  private final SslContext sslContext;
  private final ProxyStateTracker tracker;
  private final Listener listener;
  private final AtomicInteger keepAliveTimers;
  private final ChannelGroup dataStreams;
  private Channel tunnel;
  private boolean authenticated;
  private boolean closing;
  private boolean ended;
  private String lossReason;

  ClientSession(
      ClientContext context,
      EventLoop loop,
      SslContext sslContext,
      ProxyStateTracker tracker,
      Listener listener,
      AtomicInteger keepAliveTimers) {
    this.context = context;
    this.loop = loop;
    this.sslContext = sslContext;
    this.tracker = tracker;
    this.listener = listener;
    this.keepAliveTimers = keepAliveTimers;
    this.dataStreams = new DefaultChannelGroup("client-streams", loop);
  }

  ProxyStateTracker tracker() {
    return tracker;
  }

  String server() {
    return context.config().serverAddr() + ":" + context.config().serverPort();
  }

  /** Streams the server opened that are still open. */
  int openDataStreams() {
    return dataStreams.size();
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
            .group(loop)
            .channel(context.transport().socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("tls", sslContext.newHandler(ch.alloc(), host, port));
                    ch.pipeline().addLast("keepalive", keepAlive());
                    YamuxMultiplexHandler.addTo(
                        ch.pipeline(),
                        context.yamux(),
                        true,
                        new ClientInboundStreams(context, dataStreams));
                    ch.pipeline()
                        .addLast(
                            "tail",
                            new ClientTailHandler(e -> lossReason = e.describe("the server")));
                  }
                })
            .connect(host, port);
    tunnel = connect.channel();
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            end(Kind.FAILED, "cannot reach server " + server() + ": " + rootMessage(f.cause()));
            return;
          }
          onConnected(connect.channel());
        });
  }

  private DeadPeerHandler keepAlive() {
    var settings = context.config().keepAlive();
    return new DeadPeerHandler(
        settings.interval(),
        settings.timeout(),
        ch -> YamuxMultiplexHandler.get(ch).ping(),
        () -> "[client=" + context.config().clientId() + "] server " + server(),
        keepAliveTimers);
  }

  /** Whether a handshake failed because this side did not trust the server's certificate. */
  static boolean untrusted(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  private void onConnected(Channel ch) {
    ch.closeFuture().addListener(f -> onTunnelClosed());
    ch.pipeline()
        .get(SslHandler.class)
        .handshakeFuture()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                end(
                    untrusted(f.cause()) ? Kind.UNTRUSTED : Kind.FAILED,
                    "TLS handshake with server " + server() + " failed: " + rootMessage(f.cause()));
                ch.close();
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
                end(Kind.FAILED, "cannot open the control stream: " + rootMessage(f.cause()));
                ch.close();
              }
            });
  }

  /** Opens a data stream on this session; fails unless authenticated and open. */
  Future<Channel> openStream(ChannelHandler initializer) {
    if (!authenticated || ended || tunnel == null || !tunnel.isActive()) {
      return loop.newFailedFuture(new IllegalStateException("not connected to server " + server()));
    }
    return YamuxMultiplexHandler.get(tunnel).openStream(initializer);
  }

  /** The server accepted the key. */
  void connected() {
    authenticated = true;
    if (!ended) {
      listener.onConnected(this);
    }
  }

  void authFailed(String reason) {
    end(Kind.AUTH_FAILED, "server " + server() + " refused this client: " + reason);
    tunnel.close();
  }

  void controlClosed() {
    tunnel.close();
  }

  private void onTunnelClosed() {
    if (closing) {
      end(Kind.CLOSED, "closed");
    } else if (lossReason != null) {
      end(Kind.FAILED, "connection to server " + server() + " lost: " + lossReason);
    } else if (authenticated) {
      end(Kind.FAILED, "connection to server " + server() + " lost");
    } else {
      end(Kind.FAILED, "server " + server() + " closed the connection before authentication");
    }
  }

  private void end(Kind kind, String message) {
    if (!ended) {
      ended = true;
      listener.onEnded(this, new Ending(kind, message));
    }
  }

  /** Closes the connection at once; the ending is {@link Kind#CLOSED}. */
  void close() {
    closing = true;
    if (tunnel != null && tunnel.isOpen()) {
      tunnel.close();
    } else {
      end(Kind.CLOSED, "closed");
    }
  }

  /**
   * Sends go-away (the server opens no new streams), lets open streams finish for up to {@code
   * graceMillis}, then closes. The future completes when the connection is closed.
   */
  CompletableFuture<Void> drain(long graceMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    closing = true;
    if (tunnel == null || !tunnel.isActive()) {
      close();
      done.complete(null);
      return done;
    }
    tunnel.closeFuture().addListener(f -> done.complete(null));
    YamuxMultiplexHandler.get(tunnel).goAway(0);
    var timer = loop.schedule(this::close, graceMillis, TimeUnit.MILLISECONDS);
    dataStreams
        .newCloseFuture()
        .addListener(
            f -> {
              timer.cancel(false);
              close();
            });
    return done;
  }
}
