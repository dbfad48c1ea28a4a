package dev.tlstunnel.client;

import dev.tlstunnel.Failure;

/**
 * How a client ended: closed on request ({@link #CLOSED}), or with a failure it does not retry
 * (authentication refused, untrusted server, a proxy that failed with {@code exit_on_bind_failure},
 * any loss with reconnecting off).
 *
 * @param failure what ended it, or null when it was closed on request
 */
public record ClientExit(Failure failure) {
  /** Closed on request. */
  public static final ClientExit CLOSED = new ClientExit(null);

  /** Whether the client was closed on request rather than ended by a failure. */
  public boolean closedOnRequest() {
    return failure == null;
  }

  /** One line for the user: {@code closed}, or the failure's message. */
  public String message() {
    return failure == null ? "closed" : failure.message();
  }
}
