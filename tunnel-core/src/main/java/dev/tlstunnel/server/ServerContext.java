package dev.tlstunnel.server;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.Transport;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What every session of one server shares. No static state: each server has its own. */
final class ServerContext {
  final ServerConfig config;
  final Transport transport;
  final YamuxConfig yamuxConfig;
  final ProxyRegistry registry;
  final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();

  ServerContext(ServerConfig config, Transport transport, YamuxConfig yamuxConfig, int tunnelPort) {
    this.config = config;
    this.transport = transport;
    this.yamuxConfig = yamuxConfig;
    this.registry = new ProxyRegistry(tunnelPort);
  }
}
