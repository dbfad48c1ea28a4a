package dev.tlstunnel.server;

import dev.tlstunnel.protocol.VisitNonce;
import dev.tlstunnel.protocol.VisitProof;
import io.netty.util.AttributeKey;

/**
 * What one session needs to visit private proxies: the fresh nonce the server sent it ({@code
 * visit_nonce}) and the sequence numbers its proofs used. Kept on the tunnel channel; confined to
 * the session's event loop.
 */
final class SessionVisits {
  private static final AttributeKey<SessionVisits> KEY =
      AttributeKey.valueOf("tls-tunnel.session-visits");

  private final String nonce;
  private final ReplayWindow window = new ReplayWindow();

  private SessionVisits(String nonce) {
    this.nonce = nonce;
  }

  /** Gives {@code session} its nonce and sends it to the client (which ignores it if it can). */
  static void start(ServerSession session, ServerContext context) {
    SessionVisits visits = new SessionVisits(VisitProof.newNonce(context.visits.random()));
    session.tunnel().attr(KEY).set(visits);
    session.send(new VisitNonce(visits.nonce));
  }

  /** The visit state of {@code session}, or null before {@link #start}. */
  static SessionVisits of(ServerSession session) {
    return session.tunnel().attr(KEY).get();
  }

  String nonce() {
    return nonce;
  }

  /** Whether {@code seq} was not used yet in this session; it is used now. */
  boolean firstUse(long seq) {
    return window.accept(seq);
  }
}
