package dev.tlstunnel.testing;

import static org.awaitility.Awaitility.await;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ProxyType;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts real servers and clients on loopback with a throw-away certificate, and closes them all at
 * the end. Published ports default to 0 (the server picks a free port; {@link #publishedPort} finds
 * it).
 */
public final class TunnelFixture implements AutoCloseable {
  public static final String KEY = "test-auth-key-0123456789";

  private final TestPki.CertFiles pki;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  public TunnelFixture(Path dir) throws IOException {
    this.pki = TestPki.selfSigned(dir, "localhost");
  }

  public TestPki.CertFiles pki() {
    return pki;
  }

  /**
   * A server on 127.0.0.1, port 0, with millisecond bind retries (10 × 50 ms doubling to 200 ms),
   * to be changed and built.
   */
  public ServerConfig.Builder serverBuilder() {
    return ServerConfig.builder()
        .bind("127.0.0.1", 0)
        .certificate(pki.cert(), pki.key())
        .authKey(KEY)
        .handshakeTimeout(Duration.ofSeconds(5))
        .bindRetry(new BindRetryPolicy(10, Duration.ofMillis(50), Duration.ofMillis(200)));
  }

  /** {@link #serverBuilder()}, built. */
  public ServerConfig serverConfig() {
    return built(serverBuilder());
  }

  /** A client that verifies the test certificate, with quick local retries (3 × 100 ms). */
  public ClientConfig.Builder clientBuilder(
      int serverPort, String clientId, List<ProxyConfig> proxies) {
    return ClientConfig.builder()
        .server("127.0.0.1", serverPort)
        .authKey(KEY)
        .caCertPath(pki.cert())
        .clientId(clientId)
        .localConnect(3, Duration.ofMillis(100), Duration.ofSeconds(2))
        .proxies(proxies);
  }

  /** {@link #clientBuilder}, built. */
  public ClientConfig clientConfig(int serverPort, String clientId, List<ProxyConfig> proxies) {
    return built(clientBuilder(serverPort, clientId, proxies));
  }

  /** Quick reconnects (100 ms doubling to 400 ms) and keepalive (ping 200 ms, timeout 1 s). */
  public static ClientConfig fast(ClientConfig config) {
    return built(fast(config.toBuilder()));
  }

  /** Quick reconnects (100 ms doubling to 400 ms) and keepalive (ping 200 ms, timeout 1 s). */
  public static ClientConfig.Builder fast(ClientConfig.Builder builder) {
    return builder
        .reconnect(new ReconnectPolicy(true, Duration.ofMillis(100), Duration.ofMillis(400), false))
        .keepAlive(new KeepAlive(Duration.ofMillis(200), Duration.ofSeconds(1)));
  }

  /** A TCP proxy on 127.0.0.1 to a local port; publish port 0 lets the server pick one. */
  public static ProxyConfig proxy(String name, int publishPort, int localPort) {
    return built(proxyBuilder(name, publishPort, localPort));
  }

  /** {@link #proxy}, to be changed and built. */
  public static ProxyConfig.Builder proxyBuilder(String name, int publishPort, int localPort) {
    return ProxyConfig.builder(name)
        .publish("127.0.0.1", publishPort)
        .local("127.0.0.1", localPort)
        .proxyType(ProxyType.TCP);
  }

  /** Builds a configuration the test knows to be valid (fails the test otherwise). */
  public static ServerConfig built(ServerConfig.Builder builder) {
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw new AssertionError("test configuration is invalid: " + e.getMessage(), e);
    }
  }

  /** Builds a configuration the test knows to be valid (fails the test otherwise). */
  public static ClientConfig built(ClientConfig.Builder builder) {
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw new AssertionError("test configuration is invalid: " + e.getMessage(), e);
    }
  }

  /** Builds a configuration the test knows to be valid (fails the test otherwise). */
  public static ProxyConfig built(ProxyConfig.Builder builder) {
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw new AssertionError("test configuration is invalid: " + e.getMessage(), e);
    }
  }

  /** Builds limits the test knows to be valid (fails the test otherwise). */
  public static Limits built(Limits.Builder builder) {
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw new AssertionError("test limits are invalid: " + e.getMessage(), e);
    }
  }

  public TunnelServer startServer(ServerConfig config) throws TunnelStartException {
    TunnelServer server = TunnelServer.start(config);
    started.push(server);
    return server;
  }

  public TunnelServer startServer() throws TunnelStartException {
    return startServer(serverConfig());
  }

  public TunnelClient startClient(ClientConfig config) throws TunnelStartException {
    TunnelClient client = TunnelClient.start(config);
    started.push(client);
    return client;
  }

  /** Closes {@code started} with the fixture (before what was started earlier). */
  public <T extends AutoCloseable> T closeLater(T started) {
    this.started.push(started);
    return started;
  }

  /** Waits until {@code proxy} listens on {@code server} and returns its port. */
  public static int publishedPort(TunnelServer server, String proxy) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.snapshot().proxies().stream()
                    .filter(p -> p.name().equals(proxy) && p.boundPort() != 0)
                    .mapToInt(ServerSnapshot.ProxyInfo::boundPort)
                    .findFirst()
                    .orElse(0),
            port -> port != 0);
  }

  /**
   * A loopback port where connections are refused for as long as the returned socket stays open: it
   * is bound but does not listen, so no other process can listen there and a connection to it
   * cannot connect to itself (which a port that was merely free allows, when the kernel picks the
   * same port as the connection's source).
   */
  public static Socket refusingPort() throws IOException {
    Socket holder = new Socket();
    holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return holder;
  }

  /** The first port {@link #freePort} hands out; 12,000 ports below the ephemeral range follow. */
  private static final int FIRST_PORT = 20_000;

  private static final int PORTS = 12_000;

  private static final AtomicInteger NEXT_PORT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(PORTS));

  /**
   * A loopback port that was free a moment ago. It comes from below the kernel's ephemeral range
   * (32768 and up), in turn, so the source port of some outgoing connection (the tunnel's, a load
   * balancer's) cannot take it between this call and the bind it is meant for, and a port handed
   * out is not handed out again soon.
   */
  public static int freePort() throws IOException {
    return freePort(InetAddress.getLoopbackAddress());
  }

  /** Like {@link #freePort()}, free on {@code ip} (another loopback address, e.g. 127.0.0.11). */
  public static int freePort(String ip) throws IOException {
    return freePort(InetAddress.getByName(ip));
  }

  private static int freePort(InetAddress address) throws IOException {
    for (int tries = 0; tries < PORTS; tries++) {
      int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(address, port), 1);
        return port;
      } catch (IOException taken) {
        // in use: the next one
      }
    }
    throw new IOException("no free port in " + FIRST_PORT + "-" + (FIRST_PORT + PORTS - 1));
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        failure = failure != null ? failure : new IllegalStateException("close failed", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
