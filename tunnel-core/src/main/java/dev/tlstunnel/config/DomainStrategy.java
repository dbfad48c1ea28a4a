package dev.tlstunnel.config;

import java.util.Locale;

/**
 * Whether the client resolves a target's name to evaluate address rules ({@code cidr}, {@code
 * country}). Resolving for routing never decides where the tunnel route connects: the server
 * resolves the name itself.
 */
public enum DomainStrategy {
  /** Address rules match only targets given as addresses; names are never resolved for routing. */
  AS_IS,
  /** Rules are tried without resolving; if none matched, the name is resolved and tried again. */
  IP_IF_NON_MATCH,
  /** The name is resolved when the first address rule is reached. */
  IP_ON_DEMAND;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
