package dev.tlstunnel.client;

import static dev.tlstunnel.common.Errors.rootMessage;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.common.Counts;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.Durations;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.AuthResult;
import dev.tlstunnel.protocol.ControlCodec;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.SessionReplaced;
import dev.tlstunnel.transport.ClientTransport;
import dev.tlstunnel.transport.FingerprintMismatchException;
import dev.tlstunnel.transport.TransportException;
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
import io.netty.util.concurrent.Future;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a client to its server: dial, TLS, keepalive, control stream, and its single
 * ending, reported to the {@link Listener} as a {@link Failure} (or none, when this client closed
 * it). A new session is made for every attempt. Confined to the client's event loop.
 */
final class ClientSession implements ClientControlHandler.Session, SessionAttempt {
  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final ClientContext context;
  private final EventLoop loop;
  private final String handoverFrom;
  private final ChannelGroup clientStreams;
  private volatile ClientContext current;
  private Channel control;
  private final ClientTransport transport;
  private final ProxyStateTracker tracker;
  private final SessionAttempt.Listener listener;
  private final AtomicInteger keepAliveTimers;
  private final ChannelGroup dataStreams;
  private Channel tunnel;
  private ClientTunnelInitializer pipeline;
  private boolean authenticated;
  private boolean closing;
  private boolean ended;
  private String lossReason;
  private SessionReplaced replacedBy;

  /** The server this session dials. */
  private final ServerChoice.Target target;

  ClientSession(
      ClientContext context,
      EventLoop loop,
      SslContext sslContext,
      ProxyStateTracker tracker,
      SessionAttempt.Listener listener,
      AtomicInteger keepAliveTimers,
      String handoverFrom,
      ServerChoice servers) {
    this.target = servers.next(context.config());
    this.context = context;
    this.current = context;
    this.handoverFrom = handoverFrom;
    this.loop = loop;
    this.transport = new ClientTransport(context.config().transport(), sslContext);
    this.tracker = tracker;
    this.listener = listener;
    this.keepAliveTimers = keepAliveTimers;
    this.dataStreams = new DefaultChannelGroup("client-streams", loop);
    this.clientStreams = new DefaultChannelGroup("client-opened-streams", loop);
  }

  @Override
  public ProxyStateTracker tracker() {
    return tracker;
  }

  String server() {
    return Addresses.hostPort(target.host(), target.port());
  }

  @Override
  public String serverName() {
    return server();
  }

  /** {@code wss}, {@code h2 via http proxy 127.0.0.1:3128}, ... */
  String transportName() {
    return transport.describe();
  }

  @Override
  public int openDataStreams() {
    return dataStreams.size();
  }

  @Override
  public void connect() {
    if (context.config().skipVerify() && context.config().serverFingerprint() == null) {
      log.warn("Connecting to {} with client.skip_verify: the server is not verified", server());
    }
    pipeline =
        new ClientTunnelInitializer(
            context,
            () -> current,
            transport,
            dataStreams,
            keepAliveTimers,
            silent -> lossReason = silent.describe("the server"),
            (c, what) -> log.warn("Server {} {}; closing", server(), what),
            target);
    ChannelFuture connect =
        transport
            .configure(new Bootstrap())
            .group(loop)
            .channel(context.transport().socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(pipeline)
            .connect(transport.remote(target.host(), target.port()));
    tunnel = connect.channel();
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            end(
                Failure.of(
                    FailureKind.UNREACHABLE,
                    "cannot reach "
                        + (transport.proxyName() != null
                            ? transport.proxyName()
                            : "server " + server())
                        + ": "
                        + rootMessage(f.cause()),
                    f.cause()));
            return;
          }
          onConnected(connect.channel());
        });
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
    pipeline
        .ready()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                end(setupFailure(f.cause()));
                ch.close();
                return;
              }
              pipeline.addAfterTransport(ch);
              openControlStream(ch);
            });
  }

  /** Why the transport could not be set up: the proxy or the upgrade refused, or TLS failed. */
  private Failure setupFailure(Throwable cause) {
    if (cause instanceof TransportException e) {
      return Failure.of(e.kind(), e.getMessage(), e);
    }
    String message = "TLS handshake with server " + server() + " failed: " + rootMessage(cause);
    if (!untrusted(cause)) {
      return Failure.of(FailureKind.TLS_HANDSHAKE, message, cause);
    }
    FingerprintMismatchException mismatch = FingerprintMismatchException.in(cause);
    return new Failure(
        FailureKind.UNTRUSTED_SERVER,
        message,
        mismatch == null ? null : mismatch.expected(),
        mismatch == null ? null : mismatch.actual(),
        cause);
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
                end(
                    Failure.of(
                        FailureKind.CONNECTION_LOST,
                        "cannot open the control stream: " + rootMessage(f.cause()),
                        f.cause()));
                ch.close();
              }
            });
  }

  @Override
  public Future<Channel> openStream(ChannelHandler initializer) {
    if (!authenticated || ended || tunnel == null || !tunnel.isActive()) {
      return loop.newFailedFuture(new IllegalStateException("not connected to server " + server()));
    }
    Future<Channel> opened = YamuxMultiplexHandler.get(tunnel).openStream(initializer);
    opened.addListener(
        f -> {
          if (f.isSuccess()) {
            clientStreams.add((Channel) f.getNow());
          }
        });
    return opened;
  }

  @Override
  public String handoverFrom() {
    return handoverFrom;
  }

  @Override
  public void controlStream(Channel controlStream) {
    control = controlStream;
  }

  @Override
  public void onRegistrationResult(ProxyRegistrationResult result) {
    listener.onRegistrationResult(this, result);
  }

  @Override
  public boolean send(ControlMessage message) {
    Channel c = control;
    if (!authenticated || ended || c == null || !c.isActive()) {
      return false;
    }
    c.writeAndFlush(message);
    return true;
  }

  @Override
  public void reconfigure(ClientContext next) {
    current = next;
  }

  @Override
  public void closeStreamsOf(Set<String> proxies, Duration grace) {
    List<Channel> open = new ArrayList<>();
    for (Channel stream : dataStreams) {
      if (proxies.contains(stream.attr(LocalConnectHandler.PROXY).get())) {
        open.add(stream);
      }
    }
    if (open.isEmpty()) {
      return;
    }
    loop.schedule(
        () -> {
          List<Channel> left = open.stream().filter(Channel::isOpen).toList();
          if (!left.isEmpty()) {
            log.info(
                "Closing {} of proxies {} still open after shutdown_grace ({}), which a reload"
                    + " removed or restarted",
                Counts.of(left.size(), "connection", "connections"),
                proxies,
                Durations.format(grace));
            left.forEach(Channel::close);
          }
        },
        grace.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  @Override
  public void connected(String serverVersion) {
    authenticated = true;
    if (!ended) {
      listener.onConnected(this, serverVersion);
    }
  }

  @Override
  public void authFailed(AuthResult result) {
    String reason = result.error() != null ? result.error() : "authentication failed";
    boolean keyRefused = result.code() == null || AuthResult.INVALID_AUTH_KEY.equals(result.code());
    end(
        Failure.of(
            keyRefused ? FailureKind.AUTH_REFUSED : FailureKind.REFUSED,
            "server " + server() + " refused this client: " + reason,
            null));
    tunnel.close();
  }

  @Override
  public void replaced(SessionReplaced notice) {
    replacedBy = notice;
  }

  @Override
  public void controlClosed() {
    tunnel.close();
  }

  private void onTunnelClosed() {
    if (closing) {
      end(null);
      return;
    }
    Future<Void> ready = pipeline == null ? null : pipeline.ready();
    if (ready != null && !ready.isSuccess()) {
      // Closed while the transport was set up: its outcome (a proxy's or the server's refusal,
      // TLS, the close itself) says why, and may come a little after the close.
      ready.addListener(f -> end(setupFailure(f.cause())));
      return;
    }
    if (replacedBy != null) {
      end(
          Failure.of(
              FailureKind.REPLACED,
              "server "
                  + server()
                  + " replaced this session: another client with client id '"
                  + replacedBy.clientId()
                  + "' connected from "
                  + replacedBy.newSession()
                  + "; give each client its own client_id",
              null));
      return;
    }
    String message;
    if (lossReason != null) {
      message = "connection to server " + server() + " lost: " + lossReason;
    } else if (authenticated) {
      message = "connection to server " + server() + " lost";
    } else {
      message = "server " + server() + " closed the connection before authentication";
    }
    end(Failure.of(FailureKind.CONNECTION_LOST, message, null));
  }

  private void end(Failure failure) {
    if (!ended) {
      ended = true;
      listener.onEnded(this, failure);
    }
  }

  @Override
  public long rttNanos() {
    YamuxMultiplexHandler mux = tunnel == null ? null : YamuxMultiplexHandler.get(tunnel);
    return mux == null ? 0 : mux.rttNanos();
  }

  @Override
  public boolean wasAuthenticated() {
    return authenticated;
  }

  @Override
  public void close() {
    closing = true;
    if (tunnel != null && tunnel.isOpen()) {
      // Frames written in this read loop are not flushed yet; the TLS handler closes its engine
      // before it wraps what is pending, so without this flush they would be dropped (the last
      // bytes of a stream that just ended, in a drain).
      tunnel.flush();
      tunnel.close();
    } else {
      end(null);
    }
  }

  @Override
  public CompletableFuture<Void> drain(long graceMillis) {
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
            f ->
                clientStreams
                    .newCloseFuture()
                    .addListener(
                        g -> {
                          timer.cancel(false);
                          close();
                        }));
    return done;
  }
}
