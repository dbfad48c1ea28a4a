package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One attempt of a client to be connected: a {@link ClientSession}, or a test's stand-in. The
 * {@link ReconnectLoop} makes one per try and hears how it went. Confined to the client's loop.
 */
interface SessionAttempt {
  /** Dials the server; the attempt reports to its listener from then on. */
  void connect();

  /** Closes at once; the attempt ends with no failure. */
  void close();

  /**
   * Sends go-away (the server opens no new streams), lets open streams finish for up to {@code
   * graceMillis}, then closes. The future completes when the connection is closed.
   */
  CompletableFuture<Void> drain(long graceMillis);

  /** The server this attempt dials ({@code host:port}, one of {@code server_addr}), or null. */
  default String serverName() {
    return null;
  }

  /** Whether the server accepted the key in this attempt. */
  boolean wasAuthenticated();

  /** Streams the server opened that are still open. */
  int openDataStreams();

  /** The smoothed round-trip time of the tunnel's pings in nanoseconds, 0 when unknown. */
  default long rttNanos() {
    return 0;
  }

  /** Opens a data stream to the server (a forwarder's tunnel route); fails unless connected. */
  Future<Channel> openStream(ChannelHandler initializer);

  /** Sends {@code message} on the control stream once authenticated; false when it cannot. */
  default boolean send(ControlMessage message) {
    return false;
  }

  /** A reload changed the proxies: streams the server opens from now on use {@code next}. */
  default void reconfigure(ClientContext next) {}

  /**
   * A reload removed or restarted {@code proxies}: their streams open now are closed if still open
   * after {@code grace}.
   */
  default void closeStreamsOf(Set<String> proxies, Duration grace) {}

  /** Hears how an attempt went. Called on the event loop. */
  interface Listener {
    /** The server accepted the key: the session is up. */
    void onConnected(SessionAttempt attempt, String serverVersion);

    /** The attempt ended, once: with {@code failure}, or null when this client closed it. */
    void onEnded(SessionAttempt attempt, Failure failure);

    /** The server answered a proxy registration of the attempt. */
    default void onRegistrationResult(SessionAttempt attempt, ProxyRegistrationResult result) {}
  }

  /**
   * What an attempt is made with: the client's context, the TLS context, and the client id of a
   * live session it takes over gracefully (a reload that reconnects), or null.
   */
  record Setup(ClientContext context, SslContext ssl, String handoverFrom) {
    Setup plain() {
      return handoverFrom == null ? this : new Setup(context, ssl, null);
    }
  }

  /** Makes the attempt for each try, with the setup in force. */
  interface Factory {
    SessionAttempt create(ProxyStateTracker tracker, Listener listener, Setup setup);
  }
}
