package dev.tlstunnel.cli;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.VisitorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel check}: validates a server or client config file and prints a short summary, or
 * every problem found (one per line, exit 1).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Validate a server or client config file without starting anything.")
public final class CheckCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The config file to check (server or client; detected from its content).")
  private Path config;

  @Override
  public Integer call() throws Exception {
    Path file = ConfigFiles.requireReadable(config);
    PrintWriter out = spec.commandLine().getOut();
    switch (ConfigLoader.detect(file)) {
      case SERVER -> printServer(out, ConfigLoader.loadServer(file));
      case CLIENT -> printClient(out, ConfigLoader.loadClient(file));
    }
    out.flush();
    return 0;
  }

  private void printServer(PrintWriter out, ServerConfig cfg) {
    out.println("OK: server config " + config);
    out.println("  listen:      " + hostPort(cfg.bindAddr(), cfg.bindPort()));
    out.println("  certificate: " + cfg.certPath());
    out.println("  key:         " + cfg.keyPath());
    out.println("  handshake:   " + seconds(Duration.ofMillis(cfg.handshakeTimeoutMillis())));
    out.println("  bind retry:  " + describe(cfg.bindRetry()));
  }

  private void printClient(PrintWriter out, ClientConfig cfg) {
    out.println("OK: client config " + config);
    out.println("  server:    " + hostPort(cfg.serverAddr(), cfg.serverPort()));
    out.println("  client id: " + cfg.clientId());
    out.println("  trust:     " + trust(cfg));
    out.println(
        "  admin api: "
            + (cfg.adminPort() == null ? "off" : hostPort(cfg.adminAddr(), cfg.adminPort())));
    out.println("  proxies:   " + cfg.proxies().size());
    for (ProxyConfig proxy : cfg.proxies()) {
      out.println(
          "    "
              + proxy.name()
              + ": "
              + (proxy.isPrivate()
                  ? "private, visitors "
                      + String.join(", ", proxy.privateAccess().allowedVisitors())
                  : hostPort(proxy.publishAddr(), proxy.publishPort()))
              + " -> "
              + hostPort(proxy.localAddr(), proxy.localPort())
              + " ("
              + proxy.proxyType().configName()
              + (proxy.bindRetry() == null ? "" : "; bind retry: " + describe(proxy.bindRetry()))
              + ")");
    }
    if (!cfg.visitors().isEmpty()) {
      out.println("  visitors:  " + cfg.visitors().size());
      for (VisitorConfig v : cfg.visitors()) {
        out.println(
            "    "
                + v.name()
                + ": "
                + hostPort(v.bindAddr(), v.bindPort())
                + " -> "
                + v.target()
                + " (bind retry: "
                + describe(v.bindRetry())
                + ")");
      }
    }
  }

  private static String trust(ClientConfig cfg) {
    if (cfg.skipVerify()) {
      return "any certificate (skip_verify = true, insecure)";
    }
    return cfg.caCertPath() == null ? "system trust store" : cfg.caCertPath().toString();
  }

  /** {@code 10 retries, 2s doubling to 60s}. */
  static String describe(BindRetryPolicy policy) {
    if (policy == null) {
      return "server default";
    }
    String retries = policy.unlimited() ? "unlimited retries" : policy.maxRetries() + " retries";
    return retries
        + ", "
        + seconds(policy.initialDelay())
        + " doubling to "
        + seconds(policy.maxDelay());
  }

  static String seconds(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
