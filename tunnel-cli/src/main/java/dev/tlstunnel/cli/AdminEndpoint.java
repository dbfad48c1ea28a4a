package dev.tlstunnel.cli;

import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.MonitoringConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Which running client's admin API a one-shot command ({@code status}, {@code retry}) talks to:
 * from its config file ({@code admin_addr}, {@code admin_port}, or with {@code admin_port = 0} the
 * port the client recorded), from {@code --addr}/{@code --port}, or from {@code --url}; and the
 * credentials it asks for ({@code --token}, {@code --user}, or those of the config file). A picocli
 * mixin.
 */
public final class AdminEndpoint {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "The client's config file: its admin_addr and admin_port are used (with admin_port = 0,"
              + " the port the running client recorded).")
  private Path config;

  @Option(
      names = "--addr",
      paramLabel = "HOST",
      description = "The admin API's address (default: admin_addr of -c FILE, else 127.0.0.1).")
  private String addr;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "The admin API's port (default: admin_port of -c FILE).")
  private Integer port;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The admin API's address as a URL, e.g. http://127.0.0.1:7400 (instead of the"
              + " options above).")
  private URI url;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:TLS_TUNNEL_ADMIN_TOKEN}",
      description =
          "The admin API's admin_token (default: the TLS_TUNNEL_ADMIN_TOKEN environment variable,"
              + " else the admin_token of -c FILE).")
  private String token;

  @Option(
      names = "--user",
      paramLabel = "USER:PASSWORD",
      description = "Basic credentials (admin_user and admin_password) instead of a token.")
  private String user;

  @Mixin private AdminPortRecord record;

  private ClientConfig loaded;

  /**
   * The admin API's base URL ({@code http://host:port}, no path).
   *
   * @throws ConfigException when the config names no admin API or a recorded port is stale
   */
  URI base(CommandSpec spec) throws ConfigException {
    if (url != null) {
      return fromUrl(spec);
    }
    if (port != null) {
      checkPort(spec, port);
      String host = addr;
      if (host == null && config != null) {
        host = load(spec).adminAddr();
      }
      return uri(host, port);
    }
    if (config == null) {
      throw new ParameterException(
          spec.commandLine(), "say which client: -c FILE, --port PORT or --url URL");
    }
    ClientConfig cfg = load(spec);
    if (cfg.adminPort() == null) {
      throw new ConfigException(
          "the client's admin API is off: set [client] admin_port in "
              + config
              + " (and restart the client), or give --port or --url");
    }
    if (cfg.adminPort() == 0) {
      AdminPortRecord.Recorded recorded = record.find(cfg.clientId(), config);
      return uri(addr != null ? addr : recorded.addr(), recorded.port());
    }
    return uri(addr != null ? addr : cfg.adminAddr(), cfg.adminPort());
  }

  private URI fromUrl(CommandSpec spec) {
    if (config != null || addr != null || port != null) {
      throw new ParameterException(spec.commandLine(), "--url replaces -c, --addr and --port");
    }
    String path = url.getPath() == null ? "" : url.getPath();
    if (!"http".equals(url.getScheme())
        || url.getHost() == null
        || url.getPort() < 0
        || !(path.isEmpty() || path.equals("/"))
        || url.getQuery() != null) {
      throw new ParameterException(
          spec.commandLine(),
          "--url: '" + url + "' is not an admin API address like http://127.0.0.1:7400");
    }
    return URI.create("http://" + url.getRawAuthority());
  }

  /**
   * The {@code Authorization} header to send, or null: from {@code --user}, {@code --token} (or its
   * environment variable), else from the credentials of {@code -c FILE}.
   *
   * @throws ConfigException when the config file cannot be read
   */
  String authorization(CommandSpec spec) throws ConfigException {
    if (user != null) {
      if (!user.contains(":")) {
        throw new ParameterException(spec.commandLine(), "--user: give USER:PASSWORD");
      }
      return basic(user);
    }
    if (token != null && !token.isBlank()) {
      return "Bearer " + token.strip();
    }
    if (config == null) {
      return null;
    }
    MonitoringConfig m = load(spec).monitoring();
    if (m.adminToken() != null) {
      return "Bearer " + m.adminToken();
    }
    return m.adminUser() == null ? null : basic(m.adminUser() + ":" + m.adminPassword());
  }

  private static String basic(String credentials) {
    return "Basic "
        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  private ClientConfig load(CommandSpec spec) throws ConfigException {
    if (loaded == null) {
      PrintWriter err = spec.commandLine().getErr();
      loaded = ConfigLoader.loadClient(ConfigFiles.requireReadable(config), Warnings.to(err));
    }
    return loaded;
  }

  private static void checkPort(CommandSpec spec, int port) {
    if (port < 1 || port > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--port: must be between 1 and 65535, got " + port);
    }
  }

  /** The base URL; a wildcard admin address is reached on loopback. */
  static URI uri(String addr, int port) {
    String host = addr == null || addr.isBlank() ? "127.0.0.1" : addr;
    if (Addresses.isWildcard(host)) {
      host = host.contains(":") ? "::1" : "127.0.0.1";
    }
    return URI.create("http://" + Addresses.hostPort(host, port));
  }
}
