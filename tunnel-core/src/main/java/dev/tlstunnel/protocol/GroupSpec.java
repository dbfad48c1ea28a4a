package dev.tlstunnel.protocol;

/**
 * The load-balancing group a proxy joins: every member publishes the group's port, and the server
 * spreads the group's connections over the members that serve.
 *
 * @param name the group's name, {@code [A-Za-z0-9._-]{1,64}}
 * @param key the secret every member must give (the first member's); never logged
 * @param strategy {@code round_robin}, {@code least_connections}, {@code random} or {@code
 *     failover}; null for {@code round_robin}
 * @param priority with {@code failover}: higher first
 */
public record GroupSpec(String name, String key, String strategy, int priority) {
  /** Redacts the key. */
  @Override
  public String toString() {
    return "GroupSpec[name="
        + name
        + ", key=***, strategy="
        + strategy
        + ", priority="
        + priority
        + "]";
  }
}
