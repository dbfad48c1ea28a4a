package dev.tlstunnel.protocol;

import java.util.List;

/**
 * Server to client, for a proxy in a load-balancing group: the group and its members, sent when a
 * member joins or leaves or its health changes, and at most once a second while connection counts
 * change.
 *
 * @param proxyName this client's proxy in the group
 * @param group the group's name
 * @param strategy the group's strategy
 * @param publishAddr the group's publish address
 * @param publishPort the group's port
 * @param members every member, this client's among them, in the order they joined (at most 256)
 */
public record GroupStatus(
    String proxyName,
    String group,
    String strategy,
    String publishAddr,
    int publishPort,
    List<Member> members)
    implements ControlMessage {

  public GroupStatus {
    members = members == null ? List.of() : List.copyOf(members);
  }

  /**
   * One member of a group.
   *
   * @param clientId the member's client
   * @param proxyName its proxy
   * @param serving whether it gets new connections (its session is open, its local service passes
   *     its check)
   * @param activeConnections its public connections open right now
   * @param priority its priority (failover)
   */
  public record Member(
      String clientId, String proxyName, boolean serving, int activeConnections, int priority) {}
}
