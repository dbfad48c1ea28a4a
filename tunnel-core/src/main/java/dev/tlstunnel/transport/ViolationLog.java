package dev.tlstunnel.transport;

import io.netty.channel.Channel;

/**
 * Where a transport reports a peer that broke its rules (a text frame, an oversized message); the
 * transport closes the connection right after, so each connection reports at most once.
 */
@FunctionalInterface
public interface ViolationLog {
  /** {@code what} happened on {@code ch}, which is being closed. */
  void violation(Channel ch, String what);
}
