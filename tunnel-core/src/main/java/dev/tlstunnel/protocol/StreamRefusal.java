package dev.tlstunnel.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Why the server refused a client-opened data stream, the {@code reason} of a {@link StreamReply}.
 * The first five apply to every kind; the others to {@code visit} streams.
 */
public enum StreamRefusal {
  /** The request header was malformed, too large or missing a field. */
  MALFORMED,
  /** The server does not know the request's {@code kind}. */
  UNKNOWN_KIND,
  /** The stream was opened before the session authenticated. */
  NOT_AUTHENTICATED,
  /** A bound of the server was reached. */
  LIMIT,
  /** No request header arrived within the server's {@code handshake_timeout}. */
  TIMEOUT,
  /** The target's client is not connected to the server. */
  TARGET_OFFLINE,
  /** The target's client has no private proxy of that name. */
  UNKNOWN_PROXY,
  /** The visitor's client id is not in the proxy's {@code allowed_visitors}. */
  NOT_ALLOWED,
  /** The proof does not match the proxy's secret (or covers another nonce). */
  WRONG_SECRET,
  /** The proof's sequence number was used already in this session. */
  REPLAYED,
  /** The visitor's address is serving an auth penalty after failed proofs or keys. */
  PENALTY,
  /** The server could not open a stream to the target. */
  TARGET_UNAVAILABLE;

  /** The wire name, e.g. {@code wrong_secret}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; unknown names map to null. */
  @JsonCreator
  public static StreamRefusal fromWire(String value) {
    for (StreamRefusal r : values()) {
      if (r.wireName().equals(value)) {
        return r;
      }
    }
    return null;
  }
}
