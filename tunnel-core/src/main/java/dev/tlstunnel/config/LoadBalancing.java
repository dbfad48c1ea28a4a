package dev.tlstunnel.config;

import java.util.Locale;

/**
 * A proxy's membership in a load-balancing group ({@code group}, {@code group_key}, {@code
 * strategy}, {@code priority} of {@code [[proxies]]}): proxies of several clients that publish the
 * same port share it, and the server spreads its connections over the members that serve.
 *
 * @param group the group's name, {@code [A-Za-z0-9._-]}, up to 64 characters
 * @param groupKey the secret that lets a proxy join; every member must give the first one's
 * @param strategy how connections are spread; every member must ask for the group's strategy
 * @param priority with {@code failover}: the serving member with the highest priority gets every
 *     connection (ties: the one that joined first)
 */
public record LoadBalancing(String group, String groupKey, Strategy strategy, int priority) {

  /** How a group spreads its connections over the members that serve. */
  public enum Strategy {
    /** Each member in turn. */
    ROUND_ROBIN,
    /** The member with the fewest open connections (ties: in turn). */
    LEAST_CONNECTIONS,
    /** A member chosen at random. */
    RANDOM,
    /** The member with the highest {@code priority}; the next one only while it does not serve. */
    FAILOVER;

    /** The name in config files and on the wire: {@code round_robin}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The strategy with this config name (any case), or null. */
    public static Strategy fromConfigName(String name) {
      for (Strategy s : values()) {
        if (s.configName().equals(name.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      return null;
    }
  }

  public LoadBalancing {
    groupKey = groupKey == null ? "" : groupKey;
    strategy = strategy == null ? Strategy.ROUND_ROBIN : strategy;
  }

  /** Membership of {@code group} with {@code groupKey}, round robin, priority 0. */
  public static LoadBalancing of(String group, String groupKey) {
    return new LoadBalancing(group, groupKey, Strategy.ROUND_ROBIN, 0);
  }

  /** Redacts the group key. */
  @Override
  public String toString() {
    return "LoadBalancing[group="
        + group
        + ", groupKey=***, strategy="
        + strategy.configName()
        + ", priority="
        + priority
        + "]";
  }
}
