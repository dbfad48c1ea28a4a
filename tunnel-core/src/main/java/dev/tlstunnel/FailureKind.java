package dev.tlstunnel;

/**
 * What went wrong, as a closed set an application can switch on instead of reading messages. The
 * message of a {@link Failure} says the rest in words.
 */
public enum FailureKind {
  /** Another process holds the port (a published port, the tunnel port, a local listener). */
  PORT_IN_USE,
  /** The process may not bind there, e.g. a port below 1024 without privileges. */
  PERMISSION_DENIED,
  /** Any other bind failure, e.g. an address that is not on this host. */
  BIND_FAILED,
  /** A certificate, key or CA file cannot be used (missing, unreadable, malformed, mismatched). */
  TLS_SETUP,
  /**
   * A file the configuration names, other than the TLS files, cannot be used: e.g. a forwarder's
   * GeoIP database that is not a MaxMind DB file.
   */
  UNUSABLE_FILE,
  /** The server could not be reached: refused, timed out, or its name did not resolve. */
  UNREACHABLE,
  /** The TLS handshake failed for another reason than trust (protocol, a peer that is not TLS). */
  TLS_HANDSHAKE,
  /**
   * This client did not trust the server's certificate: a pinned fingerprint that does not match
   * (see {@link Failure#expectedFingerprint()} and {@link Failure#actualFingerprint()}), an unknown
   * CA, or a host name the certificate does not name.
   */
  UNTRUSTED_SERVER,
  /** The server refused the auth key. */
  AUTH_REFUSED,
  /** The server refused this client for another reason, e.g. an unsupported protocol version. */
  REFUSED,
  /** The tunnel was lost after it was up, or the server closed it before answering. */
  CONNECTION_LOST,
  /**
   * Another client with the same client id connected to the server, which replaced this client's
   * session with the newer one (two clients configured with one id replace each other).
   */
  REPLACED,
  /**
   * A proxy ended {@code bind_failed} or was rejected (a client with {@code exit_on_bind_failure}
   * ends on it).
   */
  PROXY_FAILED
}
