package dev.tlstunnel.bench;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ProxyConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many tunnel clients in one JVM, on one shared event loop group and TLS context, each with its own
 * client id and {@code proxies} proxies published on consecutive ports. Each member tracks, from
 * its events, when all its proxies were last healthy and how often it dialled the server.
 */
final class ClientFleet implements AutoCloseable {
  /** What the fleet's clients share. */
  record Setup(
      int tunnelPort,
      String authKey,
      Path caCert,
      int publicBase,
      int proxies,
      EventLoopGroup group,
      SslContext ssl) {}

  private final int publicBase;
  private final List<Member> members = new ArrayList<>();
  private final Queue<Long> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicInteger connectFailures = new AtomicInteger();

  /** Starts {@code count} clients at once; connecting goes on in the background. */
  ClientFleet(Setup setup, int count, TaggedEcho echo)
      throws TunnelStartException, ConfigException {
    this.publicBase = setup.publicBase();
    for (int i = 0; i < count; i++) {
      ClientConfig.Builder config =
          ClientConfig.builder()
              .server("127.0.0.1", setup.tunnelPort())
              .authKey(setup.authKey())
              .caCertPath(setup.caCert())
              .clientId(String.format("fleet-%05d", i));
      Member m = new Member(i, setup.proxies());
      for (int p = 0; p < setup.proxies(); p++) {
        int tag = m.tag(p);
        config.addProxy(
            ProxyConfig.builder(String.format("c%05d-p%d", i, p))
                .publish("127.0.0.1", m.publicPort(p))
                .local("127.0.0.1", echo.port(tag)));
      }
      m.client =
          TunnelClient.builder(config.build())
              .eventLoopGroup(setup.group())
              .sslContext(setup.ssl())
              .listener(m)
              .start();
      members.add(m);
    }
  }

  List<Member> members() {
    return members;
  }

  /** The times ({@link System#nanoTime()}) at which any client started dialling the server. */
  List<Long> attemptTimes() {
    return new ArrayList<>(attempts);
  }

  /** Connection attempts that failed (refused, timed out, admission control, ...) so far. */
  int connectFailures() {
    return connectFailures.get();
  }

  @Override
  public void close() {
    for (Member m : members) {
      m.client.close();
    }
  }

  /** One client and what its events told. */
  final class Member implements TunnelClient.Listener {
    final int index;
    final int proxies;
    private final AtomicInteger healthy = new AtomicInteger();
    private final AtomicInteger dials = new AtomicInteger();
    private volatile long allHealthyAt;
    TunnelClient client;

    Member(int index, int proxies) {
      this.index = index;
      this.proxies = proxies;
    }

    /** The tag of proxy {@code p}: the echo listener it reaches answers with it. */
    int tag(int p) {
      return index * proxies + p;
    }

    /** The published port of proxy {@code p}. */
    int publicPort(int p) {
      return publicBase + 1 + tag(p);
    }

    /** When all proxies last became healthy ({@link System#nanoTime()}), or 0. */
    long allHealthyAt() {
      return allHealthyAt;
    }

    boolean allHealthy() {
      return healthy.get() == proxies;
    }

    /** Times this client started dialling the server so far. */
    int dials() {
      return dials.get();
    }

    @Override
    public void connecting(ClientEvent.Connecting event) {
      dials.incrementAndGet();
      attempts.add(System.nanoTime());
    }

    @Override
    public void connectFailed(ClientEvent.ConnectFailed event) {
      connectFailures.incrementAndGet();
    }

    @Override
    public void proxyStatusChanged(ClientEvent.ProxyStatusChanged event) {
      boolean was = event.previous() != null && event.previous().status() == ProxyStatus.HEALTHY;
      boolean is = event.current().status() == ProxyStatus.HEALTHY;
      if (is && !was && healthy.incrementAndGet() == proxies) {
        allHealthyAt = System.nanoTime();
      } else if (was && !is) {
        healthy.decrementAndGet();
      }
    }
  }
}
