package dev.tlstunnel;

/**
 * One member of a load-balancing group.
 *
 * @param clientId the member's client
 * @param proxyName its proxy in the group
 * @param serving whether it gets new connections: its session is open and not shutting down, and
 *     its local service passes its check
 * @param activeConnections the group's connections open on it right now
 * @param priority its priority ({@code failover}: the serving member with the highest gets them)
 */
public record GroupMember(
    String clientId, String proxyName, boolean serving, int activeConnections, int priority) {}
