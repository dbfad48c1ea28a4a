package dev.tlstunnel.protocol;

import java.util.List;

/** Client to server, after authentication: the proxies to publish. */
public record RegisterProxies(List<ProxySpec> proxies) implements ControlMessage {
  public RegisterProxies {
    proxies = List.copyOf(proxies);
  }
}
