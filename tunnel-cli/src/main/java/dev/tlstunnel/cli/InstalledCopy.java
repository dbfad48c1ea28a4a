package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The copy of tls-tunnel a system service runs: its launcher, which adds the JVM flags of {@code
 * ./tls-tunnel}. An unpacked release archive (or a copy installed before) is used where it is;
 * otherwise the running jar and the launcher are copied to an install directory, in the archive's
 * layout ({@code tls-tunnel}, {@code lib/tls-tunnel.jar}), with {@code runtime} linking to the Java
 * that runs this command.
 */
final class InstalledCopy {
  /** Where a copy is installed unless the command says otherwise. */
  static final Path DEFAULT_DIR = Path.of("/opt/tls-tunnel");

  static final String LAUNCHER = "tls-tunnel";
  static final String JAR = "lib/tls-tunnel.jar";
  private static final String LAUNCHER_RESOURCE = "/dev/tlstunnel/cli/tls-tunnel";
  private static final Path OPEN_JAR = Path.of("/proc/self/fd");

  private final Path home;
  private final boolean copy;
  private final Path jar;

  private InstalledCopy(Path home, boolean copy, Path jar) {
    this.home = home;
    this.copy = copy;
    this.jar = jar;
  }

  /**
   * Where the service's copy is: the release archive or installed copy that {@code jar} belongs to,
   * or a new copy in {@code installDir}.
   *
   * @param jar the running program's jar, or null to find it
   */
  static InstalledCopy of(Path jar, Path installDir) throws ConfigException {
    Path running = jar != null ? jar.toAbsolutePath().normalize() : runningJar();
    Path parent = running.getParent();
    if (parent != null
        && parent.getFileName() != null
        && parent.getFileName().toString().equals("lib")
        && Files.isRegularFile(parent.resolveSibling(LAUNCHER))) {
      return new InstalledCopy(parent.getParent(), false, running);
    }
    return new InstalledCopy(installDir.toAbsolutePath().normalize(), true, running);
  }

  /** The command the unit runs: the copy's launcher. */
  Path launcher() {
    return home.resolve(LAUNCHER);
  }

  /** The copy's directory. */
  Path home() {
    return home;
  }

  /** Whether installing copies files (false: the archive or an earlier copy is used as it is). */
  boolean needsCopy() {
    return copy;
  }

  /**
   * Copies the jar and the launcher into the install directory under {@code root} (replacing an
   * older copy) and links {@code runtime} to the running Java.
   */
  void install(Path root) throws IOException, ConfigException {
    if (!copy) {
      return;
    }
    if (!Files.isRegularFile(jar)) {
      throw new ConfigException(
          "this program does not run from its jar ("
              + jar
              + "): build it (mvn -B -DskipTests package) and run the service command with"
              + " ./tls-tunnel or the release archive");
    }
    Path target = root.resolve(Path.of("/").relativize(home));
    try {
      Files.createDirectories(target.resolve("lib"));
      Files.copy(jar, target.resolve(JAR), StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(
          target.resolve(JAR), PosixFilePermissions.fromString("rw-r--r--"));
      try (InputStream launcher = InstalledCopy.class.getResourceAsStream(LAUNCHER_RESOURCE)) {
        if (launcher == null) {
          throw new IOException("the launcher is missing from this program's jar");
        }
        Files.copy(launcher, target.resolve(LAUNCHER), StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setPosixFilePermissions(
          target.resolve(LAUNCHER), PosixFilePermissions.fromString("rwxr-xr-x"));
      Path runtime = target.resolve("runtime");
      if (Files.isSymbolicLink(runtime) || !Files.exists(runtime, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(runtime);
        Files.createSymbolicLink(runtime, Path.of(System.getProperty("java.home")));
      }
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "cannot write " + e.getFile() + ": permission denied; run this command with sudo");
    }
  }

  /** The jar (or, in tests, the class directory) this program runs from. */
  private static Path runningJar() throws ConfigException {
    Path codeSource;
    try {
      codeSource = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new ConfigException("cannot find this program's jar: " + e.getMessage());
    }
    if (codeSource.startsWith(OPEN_JAR)) {
      // The release archive's launcher runs the jar it opened on a descriptor (its class-data
      // sharing archive wants one path wherever it is unpacked): the link names the real file.
      try {
        return Files.readSymbolicLink(codeSource);
      } catch (IOException e) {
        throw new ConfigException("cannot find this program's jar: " + e.getMessage());
      }
    }
    return codeSource.toAbsolutePath().normalize();
  }
}
