package dev.tlstunnel.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Where a running server or client started with {@code -c FILE} answers reload requests: the Unix
 * domain socket {@code reload-<hash>.sock} in the state directory, named after the config file's
 * absolute path, so {@code tls-tunnel reload -c FILE} finds the process running that file. A
 * picocli mixin of the reload command; the server and the client use {@link #of(Path, Path)} with
 * their own {@code --state-dir}.
 */
public final class ReloadSocket {
  private static final Logger log = LoggerFactory.getLogger(ReloadSocket.class);

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where the running process listens for reload requests (default: ~/.tls-tunnel).")
  private Path stateDir;

  /** The socket of the process running {@code config}, in this command's state directory. */
  Path of(Path config) {
    return of(stateDir, config);
  }

  /** The socket of the process running {@code config} in {@code dir} (null: the default). */
  static Path of(Path dir, Path config) {
    Path d = dir != null ? dir : ZeroConfigServer.defaultStateDir();
    return d.toAbsolutePath().normalize().resolve("reload-" + hash(config) + ".sock");
  }

  /**
   * Gives {@code use} the socket of {@code config} in {@code dir}, once the directory exists
   * (created owner-only); when it cannot be created, says so and gives nothing (SIGHUP and {@code
   * watch} still reload).
   */
  static void listen(Path dir, Path config, Consumer<Path> use) {
    Path socket = of(dir, config);
    try {
      ZeroConfigServer.createPrivateDir(socket.getParent());
      use.accept(socket);
    } catch (IOException e) {
      log.warn(
          "Cannot create {} for the reload socket: {}; 'tls-tunnel reload' will not reach this"
              + " process",
          socket.getParent(),
          e.getMessage());
    }
  }

  private static String hash(Path config) {
    String path = config.toAbsolutePath().normalize().toString();
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
