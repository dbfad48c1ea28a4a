package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;
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

  /** Hears how an attempt went. Called on the event loop. */
  interface Listener {
    /** The server accepted the key: the session is up. */
    void onConnected(SessionAttempt attempt, String serverVersion);

    /** The attempt ended, once: with {@code failure}, or null when this client closed it. */
    void onEnded(SessionAttempt attempt, Failure failure);
  }

  /** Makes the attempt for each try. */
  interface Factory {
    SessionAttempt create(ProxyStateTracker tracker, Listener listener);
  }
}
