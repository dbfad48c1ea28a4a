package dev.tlstunnel.server;

import dev.tlstunnel.protocol.PrivateAccess;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.VisitProof;
import java.util.Optional;

/** Checks the registration of a private proxy from the wire (after {@link ProxySpecCheck}). */
final class PrivateSpecCheck {

  private PrivateSpecCheck() {}

  /** Why the server cannot take the private proxy {@code spec}, if it cannot. */
  static Optional<String> problem(ProxySpec spec) {
    PrivateAccess access = spec.privateAccess();
    if (spec.publishAddr() != null || spec.publishPort() != 0) {
      return Optional.of("a private proxy has no publish_addr or publish_port");
    }
    if (access.allowedVisitors().isEmpty()) {
      return Optional.of("private_access.allowed_visitors is empty");
    }
    for (String id : access.allowedVisitors()) {
      if (!PrivateAccess.ANY_VISITOR.equals(id) && !ProxySpecCheck.NAME.matcher(id).matches()) {
        return Optional.of(
            "private_access.allowed_visitors: invalid client id '"
                + id
                + "' (use [A-Za-z0-9._-], 1-64, or *)");
      }
    }
    if (!VisitProof.isHex32(access.visitorKey())) {
      return Optional.of("private_access.visitor_key is not 64 lower-case hex digits");
    }
    return Optional.empty();
  }
}
