package dev.tlstunnel.protocol;

import java.util.List;

/**
 * Who may reach a private proxy, in its registration: the visitors' client ids and the key their
 * proofs are checked with ({@link VisitProof}). The key is derived from the proxy's secret and its
 * target, so the secret itself never leaves the publisher; it is never logged.
 *
 * @param allowedVisitors client ids allowed to visit, or {@code ["*"]} for every authenticated
 *     client
 * @param visitorKey the proof key, 64 lower-case hex digits ({@link VisitProof#visitorKey})
 */
public record PrivateAccess(List<String> allowedVisitors, String visitorKey) {
  /** The entry of {@link #allowedVisitors} that allows every client. */
  public static final String ANY_VISITOR = "*";

  public PrivateAccess {
    allowedVisitors = allowedVisitors == null ? List.of() : List.copyOf(allowedVisitors);
  }

  /** Whether {@code clientId} may visit. */
  public boolean allows(String clientId) {
    return allowedVisitors.contains(ANY_VISITOR) || allowedVisitors.contains(clientId);
  }

  /** The visitors, with the key as {@code ***}. */
  @Override
  public String toString() {
    return "PrivateAccess[allowedVisitors=" + allowedVisitors + ", visitorKey=***]";
  }
}
