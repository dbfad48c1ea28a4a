package dev.tlstunnel;

import java.util.List;

/**
 * A load-balancing group as the server last reported it to one of its members.
 *
 * @param name the group's name
 * @param strategy {@code round_robin}, {@code least_connections}, {@code random} or {@code
 *     failover}
 * @param members every member, in the order they joined
 */
public record GroupState(String name, String strategy, List<GroupMember> members) {
  public GroupState {
    members = members == null ? List.of() : List.copyOf(members);
  }
}
