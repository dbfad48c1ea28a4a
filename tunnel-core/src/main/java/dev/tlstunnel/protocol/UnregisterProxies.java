package dev.tlstunnel.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Client to server, after a reload removed proxies: the server closes their listeners and releases
 * their names and bindings; connections already open on them go on until they end (the client
 * closes those still open after its {@code shutdown_grace}). No answer; names this session does not
 * hold are ignored. A server that does not know this message ignores it.
 *
 * @param names the proxies to remove
 */
public record UnregisterProxies(List<String> names) implements ControlMessage {
  public UnregisterProxies {
    names = names == null ? List.of() : names.stream().filter(Objects::nonNull).toList();
  }
}
