package dev.tlstunnel.client;

import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ClientConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which of the client's servers ({@link ClientConfig#servers()}) each session dials: the first,
 * then the next one after every attempt, round the list. With one server it is always that one. One
 * per client, shared by its sessions.
 */
final class ServerChoice {
  /** A server to dial. */
  record Target(String host, int port) {}

  private final AtomicInteger next = new AtomicInteger();

  /** The server of the next attempt. */
  Target next(ClientConfig config) {
    List<String> all = config.servers();
    String hostPort = all.get(Math.floorMod(next.getAndIncrement(), all.size()));
    return new Target(Addresses.host(hostPort), Addresses.port(hostPort));
  }
}
