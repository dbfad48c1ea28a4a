package dev.tlstunnel.cli;

import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tls-tunnel server} without a config file: listens on a default port with a self-signed
 * certificate and a random auth key kept in a state directory (created once, reused after), and
 * prints the client command line that connects to it with the certificate pinned.
 *
 * <p>A picocli mixin of {@link ServerCommand}: its options, and the logic behind them.
 */
public final class ZeroConfigServer {
  static final String CERT_FILE = "server.crt";
  static final String KEY_FILE = "server.key";
  static final String AUTH_KEY_FILE = "auth.key";
  private static final Duration CERT_VALIDITY = Duration.ofDays(3650);

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Without -c: where the certificate, key and auth key are created once and kept; with"
              + " -c: where the server listens for reload requests (default: ~/.tls-tunnel).")
  private Path stateDir;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Without -c: the tunnel port (default: 7000).")
  private Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Without -c: the address the tunnel port listens on (default: 0.0.0.0).")
  private String bindAddr;

  @Option(
      names = "--public-addr",
      paramLabel = "HOST",
      description =
          "Without -c: the name or address clients reach this host by, for the printed client command and the certificate (default: guessed).")
  private String publicAddr;

  private String fingerprint;
  private String authKey;
  private Path usedStateDir;

  private Path configFile;

  /**
   * The server configuration: loaded from {@code config} when given (zero-config options are then
   * refused), else {@link #prepare prepared} in the state directory.
   */
  ServerConfig resolve(Path config, CommandSpec spec) throws IOException, ConfigException {
    configFile = config;
    if (config == null) {
      return prepare(spec);
    }
    if (port != null || bindAddr != null || publicAddr != null) {
      throw new ParameterException(
          spec.commandLine(),
          "--port, --bind and --public-addr are for running without a config file;"
              + " with -c, set them in the file");
    }
    return ConfigLoader.loadServer(ConfigFiles.requireReadable(config));
  }

  /**
   * Starts the server (a tunnel port that cannot be bound fails with advice and exit code 3) and,
   * without a config file, prints what a client needs.
   */
  TunnelServer start(ServerConfig config, CommandSpec spec)
      throws TunnelStartException, CommandFailure {
    return start(config, spec, b -> b);
  }

  /** Like {@link #start(ServerConfig, CommandSpec)}, with the builder changed by {@code more}. */
  TunnelServer start(
      ServerConfig config, CommandSpec spec, UnaryOperator<TunnelServer.Builder> more)
      throws TunnelStartException, CommandFailure {
    String portSetting = configFile != null ? "server.bind_port in " + configFile : "--port";
    TunnelServer.Builder builder = TunnelServer.builder(config);
    if (configFile != null) {
      builder.configFile(configFile);
      ReloadSocket.listen(stateDir, configFile, builder::controlSocket);
    }
    TunnelServer server = NewcomerErrors.startServer(more.apply(builder), portSetting);
    if (configFile == null) {
      announce(spec.commandLine().getOut(), server.address());
    }
    return server;
  }

  /**
   * Creates the state directory's certificate, key and auth key when missing, and returns the
   * server configuration that uses them.
   */
  ServerConfig prepare(CommandSpec spec) throws IOException, ConfigException {
    int tunnelPort = port != null ? port : Templates.DEFAULT_SERVER_PORT;
    if (tunnelPort < 0 || tunnelPort > 65535) {
      throw new ParameterException(
          spec.commandLine(), "--port: must be between 0 and 65535, got " + tunnelPort);
    }
    usedStateDir = (stateDir != null ? stateDir : defaultStateDir()).toAbsolutePath().normalize();
    createPrivateDir(usedStateDir);
    Path cert = usedStateDir.resolve(CERT_FILE);
    Path key = usedStateDir.resolve(KEY_FILE);
    ensureCertificate(cert, key);
    authKey = ensureAuthKey(usedStateDir.resolve(AUTH_KEY_FILE));
    X509Certificate certificate = readCertificate(cert);
    fingerprint = Fingerprints.sha256(certificate);
    if (publicAddr != null && !CertificateNames.names(certificate, publicAddr)) {
      warnPublicAddrMissing(spec.commandLine().getErr(), cert, key);
    }
    String addr = bindAddr != null ? bindAddr : ServerConfig.DEFAULT_BIND_ADDR;
    return ServerConfig.builder()
        .bind(addr, tunnelPort)
        .certificate(cert, key)
        .authKey(authKey)
        .build();
  }

  /**
   * The certificate was made before this {@code --public-addr}: it is kept (clients that pin its
   * fingerprint keep working), with the command that makes one naming it.
   */
  private void warnPublicAddrMissing(PrintWriter err, Path cert, Path key) {
    StringBuilder command =
        new StringBuilder("rm ")
            .append(cert)
            .append(' ')
            .append(key)
            .append(" && ./tls-tunnel server --state-dir ")
            .append(usedStateDir);
    if (port != null) {
      command.append(" --port ").append(port);
    }
    if (bindAddr != null) {
      command.append(" --bind ").append(bindAddr);
    }
    command.append(" --public-addr ").append(publicAddr);
    err.println(
        "warning: certificate "
            + cert
            + " does not name "
            + publicAddr
            + " (--public-addr): it was created before; clients that pin its fingerprint are not"
            + " affected, clients that verify the host name (ca_cert_path) are");
    err.println(
        "warning: to create one that names it, keeping the auth key (clients then need the new"
            + " fingerprint): "
            + command);
    err.flush();
  }

  /** Prints what a client needs, as a ready-to-paste command line. */
  void announce(PrintWriter out, InetSocketAddress listening) {
    String host = clientHost();
    String server = Addresses.hostPort(host, listening.getPort());
    out.println(
        "tls-tunnel server is ready (TLS: " + TlsProvider.fromSystemProperty().describe() + ")");
    out.println("  listening:   " + Addresses.hostPort(boundHost(), listening.getPort()));
    out.println("  state:       " + usedStateDir + " (certificate, key and auth key; reused)");
    out.println("  fingerprint: " + fingerprint);
    out.println("  auth key:    " + authKey);
    out.println();
    out.println("On the client machine, publish its local port 3000 as port 8080 of this server:");
    out.println();
    out.println(
        "  ./tls-tunnel client --server "
            + server
            + " --key "
            + authKey
            + " --server-fingerprint "
            + fingerprint
            + " --expose 3000:8080");
    out.println();
    if (publicAddr == null) {
      out.println(
          "("
              + host
              + " is a guess: if clients reach this host by another name or address, use that,"
              + " or start the server with --public-addr HOST.)");
    }
    out.flush();
  }

  private String boundHost() {
    return bindAddr != null ? bindAddr : ServerConfig.DEFAULT_BIND_ADDR;
  }

  /** {@code ~/.tls-tunnel}, where {@code ~} is {@code $HOME} when set (as shells see it). */
  static Path defaultStateDir() {
    String home = System.getenv("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"))
        .resolve(".tls-tunnel");
  }

  private void ensureCertificate(Path cert, Path key) throws IOException, ConfigException {
    boolean hasCert = Files.exists(cert);
    boolean hasKey = Files.exists(key);
    if (hasCert && hasKey) {
      return;
    }
    if (hasCert || hasKey) {
      Path present = hasCert ? cert : key;
      Path missing = hasCert ? key : cert;
      throw new ConfigException(
          missing
              + " is missing but "
              + present
              + " exists: restore it, or delete "
              + present
              + " to create a new pair (clients must then use the new fingerprint)");
    }
    List<String> dnsNames = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    addName(CertCommand.hostName(), dnsNames, addresses);
    addName("localhost", dnsNames, addresses);
    addName("127.0.0.1", dnsNames, addresses);
    addName("::1", dnsNames, addresses);
    if (publicAddr != null) {
      addName(publicAddr, dnsNames, addresses);
    }
    CertificateGenerator.selfSigned(
            CertCommand.hostName(),
            dnsNames,
            addresses,
            CERT_VALIDITY,
            CertificateGenerator.KeyType.EC)
        .writePem(cert, key);
  }

  private static void addName(String name, List<String> dnsNames, List<InetAddress> addresses)
      throws IOException {
    if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
      InetAddress address =
          InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(name));
      if (!addresses.contains(address)) {
        addresses.add(address);
      }
    } else if (name.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
        && !dnsNames.contains(name)) {
      dnsNames.add(name);
    }
  }

  private static String ensureAuthKey(Path file) throws IOException, ConfigException {
    if (!Files.exists(file)) {
      String key = AuthKeys.random();
      AuthKeys.writeOwnerOnly(file, key + "\n");
      return key;
    }
    String key = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (key.length() < ServerConfig.MIN_AUTH_KEY_LENGTH) {
      throw new ConfigException(
          file
              + ": the auth key must be at least "
              + ServerConfig.MIN_AUTH_KEY_LENGTH
              + " characters; delete the file to create a new random one");
    }
    return key;
  }

  private static X509Certificate readCertificate(Path cert) throws IOException {
    try (InputStream in = Files.newInputStream(cert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (CertificateException e) {
      throw new IOException(
          "certificate "
              + cert
              + " cannot be parsed ("
              + e.getMessage()
              + "); delete it and "
              + cert.resolveSibling(KEY_FILE)
              + " to create a new pair",
          e);
    }
  }

  /** Creates {@code dir} (and its parents) readable by its owner only, unless it exists. */
  static void createPrivateDir(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(dir);
    }
  }

  /** The host clients should dial: --public-addr, a specific bind address, or a guess. */
  private String clientHost() {
    if (publicAddr != null) {
      return publicAddr;
    }
    if (bindAddr != null && !Addresses.isWildcard(bindAddr)) {
      return bindAddr;
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // fall back to the host name
    }
    return CertCommand.hostName();
  }
}
