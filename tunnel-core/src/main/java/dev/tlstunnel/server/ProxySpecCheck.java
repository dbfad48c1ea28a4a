package dev.tlstunnel.server;

import dev.tlstunnel.config.ProxyType;
import dev.tlstunnel.protocol.ProxySpec;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks a proxy registration from the wire before anything is claimed or bound. */
final class ProxySpecCheck {
  /** A proxy name or client id as the server accepts it. */
  static final String NAME_PATTERN = "[A-Za-z0-9._-]{1,64}";

  static final Pattern NAME = Pattern.compile(NAME_PATTERN);

  private ProxySpecCheck() {}

  /** Why the server cannot take {@code spec}, if it cannot. */
  static Optional<String> problem(ProxySpec spec) {
    if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
      return Optional.of("invalid proxy name '" + spec.name() + "' (use [A-Za-z0-9._-], 1-64)");
    }
    if (spec.privateAccess() != null) {
      return PrivateSpecCheck.problem(spec);
    }
    if (spec.publishAddr() == null || spec.publishAddr().isBlank()) {
      return Optional.of("publish_addr is empty");
    }
    if (spec.publishPort() < 0 || spec.publishPort() > 65535) {
      return Optional.of("publish_port must be between 1 and 65535, got " + spec.publishPort());
    }
    if (spec.proxyType() != null && ProxyType.fromConfigName(spec.proxyType()) == null) {
      return Optional.of("unknown proxy_type '" + spec.proxyType() + "'");
    }
    return Optional.empty();
  }
}
