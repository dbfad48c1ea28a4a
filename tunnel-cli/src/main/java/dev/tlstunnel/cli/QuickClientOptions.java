package dev.tlstunnel.cli;

import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.ProxyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tls-tunnel client} without a config file, for the common case: server, key, pinned
 * fingerprint and a few exposed ports on the command line. A picocli mixin of {@link
 * ClientCommand}; {@code --server-fingerprint} also overrides a config file's value.
 */
public final class QuickClientOptions {
  private static final Pattern EXPOSE =
      Pattern.compile(
          "(?:(?<name>[^=]+)=)?(?:(?<host>\\[[^\\]]+\\]|[^:\\[\\]]+):)??(?<local>\\d+)"
              + "(?::(?<publish>\\d+))?");
  private static final String EXPOSE_FORMAT = "[NAME=][HOST:]LOCAL_PORT[:PUBLISH_PORT]";

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      description = "Without -c: the server's address and tunnel port.")
  private String server;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "Without -c: the server's auth key (or set TLS_TUNNEL_KEY).")
  private String key;

  @Option(
      names = "--server-fingerprint",
      paramLabel = "sha256:HEX",
      description =
          "Trust exactly the server certificate with this SHA-256 fingerprint (the server prints it); also overrides server_fingerprint of a config file.")
  private String fingerprint;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "Without -c: verify the server against this CA certificate and host name.")
  private Path caCert;

  @Option(
      names = "--client-id",
      paramLabel = "ID",
      description = "Without -c: this client's name on the server (default: the host name).")
  private String clientId;

  @Option(
      names = "--expose",
      paramLabel = EXPOSE_FORMAT,
      description =
          "Without -c, repeatable: publish a local port on the server, e.g. 3000:8080 (local 3000 as public 8080), 3000 (same port) or ssh=22:2222 (named 'ssh').")
  private List<String> expose = new ArrayList<>();

  /** The client configuration: from {@code config} when given, else from these options. */
  ClientConfig resolve(Path config, CommandSpec spec) throws ConfigException {
    if (config != null) {
      if (server != null
          || key != null
          || caCert != null
          || clientId != null
          || !expose.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "--server, --key, --ca-cert, --client-id and --expose are for running without a"
                + " config file; with -c, set them in the file");
      }
      ClientConfig loaded = ConfigLoader.loadClient(ConfigFiles.requireReadable(config));
      return fingerprint == null
          ? loaded
          : loaded.toBuilder().serverFingerprint(normalizedFingerprint(spec)).build();
    }
    String authKey = key != null ? key : System.getenv("TLS_TUNNEL_KEY");
    if (server == null || authKey == null) {
      throw new ParameterException(
          spec.commandLine(),
          "give -c FILE, or --server HOST:PORT and --key KEY (with --server-fingerprint and"
              + " --expose) to run without a config file");
    }
    ClientConfig.Builder builder =
        ClientConfig.builder()
            .authKey(authKey)
            .caCertPath(caCert == null ? null : caCert.toAbsolutePath())
            .clientId(clientId)
            .serverFingerprint(fingerprint == null ? null : normalizedFingerprint(spec));
    hostAndPort(builder, spec);
    for (String spec1 : expose) {
      builder.addProxy(proxy(spec1, spec));
    }
    try {
      return builder.build();
    } catch (ConfigException e) {
      throw new ConfigException(e.details().stream().map(this::optionNames).toList());
    }
  }

  private void hostAndPort(ClientConfig.Builder builder, CommandSpec spec) {
    int colon = server.lastIndexOf(':');
    String host = colon > 0 ? server.substring(0, colon) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = colon > 0 ? parsePort(server.substring(colon + 1)) : -1;
    if (host.isEmpty() || port < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--server: expected HOST:PORT, e.g. tunnel.example.com:7000, got '" + server + "'");
    }
    builder.server(host, port);
  }

  private String normalizedFingerprint(CommandSpec spec) {
    try {
      return Fingerprints.normalize(fingerprint);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--server-fingerprint: " + e.getMessage());
    }
  }

  /**
   * One {@code --expose} value as a proxy, validated with the rest of the configuration; the name
   * defaults to {@code tcp-<publish port>}.
   */
  static ProxyConfig.Builder proxy(String value, CommandSpec spec) {
    Matcher m = EXPOSE.matcher(value);
    if (!m.matches()) {
      throw new ParameterException(
          spec.commandLine(),
          "--expose '"
              + value
              + "': expected "
              + EXPOSE_FORMAT
              + ", e.g. 3000:8080, 3000 or ssh=22:2222");
    }
    int local = parsePort(m.group("local"));
    int publish = m.group("publish") == null ? local : parsePort(m.group("publish"));
    String host = m.group("host");
    if (host != null && host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String name = m.group("name") != null ? m.group("name") : "tcp-" + publish;
    return ProxyConfig.builder(name)
        .publishPort(publish)
        .local(host == null ? ProxyConfig.DEFAULT_LOCAL_ADDR : host, local);
  }

  private static int parsePort(String digits) {
    try {
      return digits.length() > 5 ? -1 : Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A validator problem, its config key replaced by the option that sets it. */
  private ConfigException.Problem optionNames(ConfigException.Problem problem) {
    String key = problem.key() == null ? "" : problem.key();
    Matcher proxy = Pattern.compile("^proxies\\[(\\d+)\\]").matcher(key);
    if (proxy.find()) {
      int index = Integer.parseInt(proxy.group(1));
      String value = index < expose.size() ? expose.get(index) : "?";
      return new ConfigException.Problem("--expose '" + value + "'", problem.message());
    }
    String option =
        switch (key) {
          case "client.server_addr", "client.server_port" -> "--server";
          case "client.auth_key" -> "--key";
          case "client.ca_cert_path" -> "--ca-cert";
          case "client.client_id" -> "--client-id";
          case "client.server_fingerprint" -> "--server-fingerprint";
          default -> problem.key();
        };
    return new ConfigException.Problem(option, problem.message());
  }
}
