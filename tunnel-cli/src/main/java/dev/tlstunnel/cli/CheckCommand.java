package dev.tlstunnel.cli;

import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.server.TunnelServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel check}: validates a server or client config file and prints a short summary, or
 * every problem found (one per line, exit 1). Soft issues are printed as {@code warning:} lines on
 * stderr. A server file also goes through what {@code server} does before it binds (certificate and
 * key read, matched and loaded into TLS), a client file through building its TLS settings, so check
 * refuses what the commands would.
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
    Consumer<String> warnings = Warnings.to(spec.commandLine().getErr());
    switch (ConfigLoader.detect(file)) {
      case SERVER -> {
        ServerConfig cfg = ConfigLoader.loadServer(file, warnings);
        TunnelServer.builder(cfg).check();
        printServer(out, cfg);
      }
      case CLIENT -> {
        ClientConfig cfg = ConfigLoader.loadClient(file, warnings);
        TunnelClient.builder(cfg).check();
        printClient(out, cfg);
      }
    }
    out.flush();
    return 0;
  }

  private void printServer(PrintWriter out, ServerConfig cfg) {
    out.println("OK: server config " + config);
    out.println("  listen:      " + Addresses.hostPort(cfg.bindAddr(), cfg.bindPort()));
    out.println("  transport:   " + transport(cfg));
    if (cfg.certPath() != null) {
      out.println("  certificate: " + cfg.certPath());
      out.println("  key:         " + cfg.keyPath() + " (matches the certificate)");
      out.println("  tls:         " + TlsProvider.fromSystemProperty().describe());
    }
    out.println("  handshake:   " + seconds(cfg.handshakeTimeout()));
    out.println("  bind retry:  " + describe(cfg.bindRetry()));
    out.println("  forwarding:  " + forwarding(cfg.egress()));
  }

  /** {@code off}, or {@code on for every client (2 allow_cidrs, 0 deny_cidrs)}. */
  static String forwarding(EgressConfig egress) {
    if (!egress.allowForward()) {
      return "off";
    }
    String who =
        egress.clients() == null
            ? "every client"
            : "clients " + String.join(", ", new java.util.TreeSet<>(egress.clients().keySet()));
    return "on for "
        + who
        + " ("
        + egress.rules().allowCidrs().size()
        + " allow_cidrs, "
        + egress.rules().denyCidrs().size()
        + " deny_cidrs)";
  }

  private void printClient(PrintWriter out, ClientConfig cfg) {
    out.println("OK: client config " + config);
    out.println("  server:    " + Addresses.hostPort(cfg.serverAddr(), cfg.serverPort()));
    out.println("  client id: " + cfg.clientId());
    out.println("  transport: " + cfg.transport().describe());
    out.println("  trust:     " + trust(cfg));
    out.println(
        "  admin api: "
            + (cfg.adminPort() == null
                ? "off"
                : Addresses.hostPort(cfg.adminAddr(), cfg.adminPort())));
    out.println("  proxies:   " + cfg.proxies().size());
    for (ProxyConfig proxy : cfg.proxies()) {
      out.println(
          "    "
              + proxy.name()
              + ": "
              + (proxy.isPrivate()
                  ? "private, visitors "
                      + String.join(", ", proxy.privateAccess().allowedVisitors())
                  : Addresses.hostPort(proxy.publishAddr(), proxy.publishPort()))
              + " -> "
              + Addresses.hostPort(proxy.localAddr(), proxy.localPort())
              + " ("
              + proxy.proxyType().configName()
              + (proxy.bindRetry() == null ? "" : "; bind retry: " + describe(proxy.bindRetry()))
              + ")");
    }
    if (!cfg.forwarders().isEmpty()) {
      out.println("  forwarders: " + cfg.forwarders().size());
      for (ForwarderConfig f : cfg.forwarders()) {
        out.println(
            "    "
                + f.name()
                + ": "
                + f.type().configName()
                + " on "
                + Addresses.hostPort(f.bindAddr(), f.bindPort())
                + " ("
                + f.routing().rules().size()
                + " rules, default "
                + f.routing().defaultVia().configName()
                + (f.username() == null ? "" : ", with credentials")
                + ")");
      }
    }
    if (!cfg.visitors().isEmpty()) {
      out.println("  visitors:  " + cfg.visitors().size());
      for (VisitorConfig v : cfg.visitors()) {
        out.println(
            "    "
                + v.name()
                + ": "
                + Addresses.hostPort(v.bindAddr(), v.bindPort())
                + " -> "
                + v.target()
                + " (bind retry: "
                + describe(v.bindRetry())
                + ")");
      }
    }
  }

  private static String transport(ServerConfig cfg) {
    var t = cfg.transport();
    String s = t.transport().configName();
    if (t.transport() == TunnelTransport.WSS) {
      s += " on path " + t.path();
    }
    if (t.behindProxy()) {
      s += ", cleartext behind a reverse proxy";
    }
    return t.trustedProxies().isEmpty() ? s : s + "; trusted proxies " + t.trustedProxies();
  }

  static String trust(ClientConfig cfg) {
    if (cfg.serverFingerprint() != null) {
      return "pinned certificate "
          + Fingerprints.normalize(cfg.serverFingerprint())
          + " (server_fingerprint; no CA or host-name check)";
    }
    if (cfg.skipVerify()) {
      return "any certificate (skip_verify = true, insecure)";
    }
    return cfg.caCertPath() == null
        ? "system trust store, host name " + cfg.serverAddr()
        : cfg.caCertPath() + " (ca_cert_path), host name " + cfg.serverAddr();
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
}
