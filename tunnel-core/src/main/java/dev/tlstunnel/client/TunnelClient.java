package dev.tlstunnel.client;

import dev.tlstunnel.config.ClientConfig;
import java.util.concurrent.CompletableFuture;

/**
 * A tunnel client: dials the server, authenticates, registers its proxies and serves the streams
 * the server opens. Several clients may run in one JVM.
 */
public final class TunnelClient implements AutoCloseable {

  /** Starts connecting; progress shows in {@link #status()} and the end in {@link #exit()}. */
  public static TunnelClient start(ClientConfig config) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The latest state of the session and every proxy. */
  public ClientStatus status() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Completes when the client stops, with the reason. */
  public CompletableFuture<ClientExit> exit() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Closes the tunnel and releases every resource. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not yet");
  }
}
