package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel demo}: a server, a client and a local HTTP service in one process, with a
 * throw-away certificate; proves the tunnel by fetching the published URL through it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Try the tunnel in one process: server, client and a local HTTP service.",
      "Uses a throw-away certificate and key, publishes the service through the tunnel",
      "and fetches it once as proof."
    })
public final class DemoCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);
  static final String PROXY_NAME = "demo-web";
  private static final Duration HEALTHY_TIMEOUT = Duration.ofSeconds(30);

  @ParentCommand private Main main;
  @Spec private CommandSpec spec;

  @Option(
      names = "--publish-port",
      paramLabel = "PORT",
      description = "Port the service is published on, on 127.0.0.1 (default: a free port).")
  private int publishPort;

  @Option(
      names = "--server-port",
      paramLabel = "PORT",
      description = "The tunnel server's port, on 127.0.0.1 (default: a free port).")
  private int serverPort;

  @Option(names = "--once", description = "Exit 0 after the proof fetch instead of running on.")
  private boolean once;

  @Override
  public Integer call() throws Exception {
    requirePort("--publish-port", publishPort);
    requirePort("--server-port", serverPort);
    Path dir = Files.createTempDirectory("tls-tunnel-demo-");
    Deque<AutoCloseable> open = new ArrayDeque<>();
    try {
      return runDemo(spec.commandLine().getOut(), dir, open);
    } finally {
      closeAll(open);
      TempFiles.deleteTree(dir);
    }
  }

  private int runDemo(PrintWriter out, Path dir, Deque<AutoCloseable> open) throws Exception {
    Path cert = dir.resolve("demo-cert.pem");
    Path key = dir.resolve("demo-key.pem");
    CertificateGenerator.localhost(Duration.ofDays(1)).writePem(cert, key);
    String authKey = randomKey();
    DemoHttpService service = DemoHttpService.start();
    open.push(service);
    TunnelServer server = TunnelServer.start(serverConfig(cert, key, authKey));
    open.push(server);
    int tunnelPort = server.address().getPort();
    int publish = publishPort != 0 ? publishPort : DemoProbe.freePort();
    TunnelClient client =
        TunnelClient.start(clientConfig(tunnelPort, authKey, cert, publish, service.port()));
    open.push(client);
    URI url = URI.create("http://127.0.0.1:" + publish + "/");
    out.println("tls-tunnel demo");
    out.println("  local service: http://127.0.0.1:" + service.port() + "/ (plain HTTP)");
    out.println("  tunnel server: 127.0.0.1:" + tunnelPort + " (TLS, throw-away certificate)");
    out.println("  published:     " + url + " -> 127.0.0.1:" + service.port());
    out.flush();
    DemoProbe.awaitHealthy(client.proxy(PROXY_NAME), HEALTHY_TIMEOUT);
    String body = DemoProbe.fetch(url);
    out.println("Fetched " + url + " through the tunnel:");
    body.lines().forEach(line -> out.println("  " + line));
    out.flush();
    if (once) {
      return 0;
    }
    out.println();
    out.println("Try it: curl " + url);
    out.println("Press Ctrl+C to stop.");
    out.flush();
    return waitForEnd(client);
  }

  private int waitForEnd(TunnelClient client) {
    CompletableFuture<ClientExit> exit = client.exit();
    CompletableFuture.anyOf(exit, main.stopSignal().future()).join();
    if (!exit.isDone()) {
      log.info("Stopping the demo");
      return 0;
    }
    ClientExit ended = exit.join();
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: the demo client stopped: " + ended.message());
    err.flush();
    return Math.max(ExitCodes.USAGE, ExitCodes.of(ended));
  }

  private ServerConfig serverConfig(Path cert, Path key, String authKey) throws ConfigException {
    return ServerConfig.builder()
        .bind("127.0.0.1", serverPort)
        .certificate(cert, key)
        .authKey(authKey)
        .build();
  }

  private static ClientConfig clientConfig(
      int tunnelPort, String authKey, Path cert, int publish, int localPort)
      throws ConfigException {
    return ClientConfig.builder()
        .server("127.0.0.1", tunnelPort)
        .authKey(authKey)
        .caCertPath(cert)
        .clientId("demo-client")
        .localConnect(2, Duration.ofMillis(200), Duration.ofSeconds(5))
        .addProxy(
            ProxyConfig.builder(PROXY_NAME)
                .publish("127.0.0.1", publish)
                .local("127.0.0.1", localPort))
        .build();
  }

  private void requirePort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), option + ": " + port + " is not a port (0 to 65535)");
    }
  }

  private static String randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void closeAll(Deque<AutoCloseable> open) {
    while (!open.isEmpty()) {
      AutoCloseable resource = open.pop();
      try {
        resource.close();
      } catch (Exception | LinkageError e) {
        log.warn("Closing {} failed: {}", resource.getClass().getSimpleName(), Main.describe(e));
      }
    }
  }

  /** Deletes the demo's temp files. */
  static final class TempFiles {
    private TempFiles() {}

    static void deleteTree(Path dir) throws IOException {
      try (var paths = Files.walk(dir)) {
        for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
