package dev.tlstunnel.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The release archive as a user gets it: unpacked, run with a {@code PATH} that holds no {@code
 * java} (only the few tools the launcher needs), with BoringSSL and with the JDK's TLS, with EC and
 * RSA keys; and its runtime's modules checked against what jdeps finds in the jar.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DistArchiveIT {
  /**
   * JDK modules that jdeps finds but the archive leaves out: only optional code uses them
   * (java.compiler: Vert.x, under the etcd client, compiles verticles from source; the etcd client
   * never asks it to).
   */
  static final Set<String> OPTIONAL_MODULES = Set.of("java.compiler", "java.desktop", "java.sql");

  /** Modules that jdeps cannot see (service providers) but the archive needs. */
  static final Set<String> PROVIDER_MODULES = Set.of("jdk.crypto.ec");

  /** What the launcher runs besides bash builtins. */
  static final List<String> LAUNCHER_TOOLS = List.of("bash", "dirname", "readlink", "stat");

  @TempDir static Path work;
  static Path home;
  static Path tools;

  @BeforeAll
  static void unpack() throws Exception {
    Path archive = Path.of(System.getProperty("dist.archive"));
    assertThat(archive).isRegularFile();
    run(List.of("tar", "-xzf", archive.toString(), "-C", work.toString()), Map.of(), 60);
    String name = archive.getFileName().toString().replace(".tar.gz", "");
    home = work.resolve(name);
    tools = Files.createDirectory(work.resolve("tools"));
    for (String tool : LAUNCHER_TOOLS) {
      Path real =
          Stream.of("/usr/bin", "/bin")
              .map(d -> Path.of(d, tool))
              .filter(Files::exists)
              .findFirst()
              .orElseThrow(() -> new AssertionError(tool + " not found"));
      Files.createSymbolicLink(tools.resolve(tool), real.toRealPath());
    }
    long packed = Files.size(archive);
    long unpacked;
    try (Stream<Path> files = Files.walk(home)) {
      unpacked = files.filter(Files::isRegularFile).mapToLong(DistArchiveIT::size).sum();
    }
    System.out.printf(
        "release archive %s: %.1f MB packed, %.1f MB unpacked%n",
        archive.getFileName(), packed / 1e6, unpacked / 1e6);
  }

  @Test
  void thePathHoldsNoJava() throws Exception {
    Result r = run(List.of(tools.resolve("bash").toString(), "-c", "command -v java"), env(), 10);
    assertThat(r.code()).as(r.output()).isNotZero();
  }

  @Test
  void demoRunsWithTheBundledRuntimeAndBoringSsl() throws Exception {
    Result version = launcher(Map.of(), "--version");
    assertThat(version.code()).as(version.output()).isZero();
    assertThat(version.output()).contains("TLS provider: BoringSSL");
    Result demo = launcher(Map.of(), "demo", "--once");
    assertThat(demo.code()).as(demo.output()).isZero();
    assertThat(demo.output()).contains("through the tunnel:");
  }

  @Test
  void demoRunsWithTheJdkTls() throws Exception {
    Map<String, String> jdkTls = Map.of("JAVA_OPTS", "-Dtlstunnel.tls=jdk");
    Result version = launcher(jdkTls, "--version");
    assertThat(version.output()).contains("TLS provider: JDK");
    Result demo = launcher(jdkTls, "demo", "--once");
    assertThat(demo.code()).as(demo.output()).isZero();
    assertThat(demo.output()).contains("through the tunnel:");
  }

  /**
   * The jar holds no native library: this platform's are in lib/native, the others are left out.
   */
  @Test
  void nativeLibrariesAreBesideTheJar() throws Exception {
    try (ZipFile jar = new ZipFile(home.resolve("lib/tls-tunnel.jar").toFile())) {
      assertThat(jar.stream().map(ZipEntry::getName))
          .filteredOn(name -> name.startsWith("META-INF/native/") && !name.endsWith("/"))
          .isEmpty();
    }
    try (Stream<Path> files = Files.list(home.resolve("lib/native"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .contains(
              "libnetty_tcnative_linux_x86_64.so", "libnetty_transport_native_epoll_x86_64.so")
          .anyMatch(f -> f.matches("libnetty_transport_native_io_uring\\d*_x86_64\\.so"));
    }
  }

  @Test
  void theLauncherUsesItsJvmFlags() throws Exception {
    Result r = launcher(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("-XX:+UseSerialGC", "-XX:MaxHeapSize=134217728");
    // A short command runs on C1 alone; the server keeps the JIT's second tier.
    assertThat(r.output()).contains("-XX:TieredStopAtLevel=1");
    Result server =
        launcher(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "-v", "server", "--help");
    assertThat(server.code()).as(server.output()).isZero();
    assertThat(server.output()).contains("-XX:+UseSerialGC").doesNotContain("TieredStopAtLevel");
  }

  /** The JVM maps the classes from the archive's class-data sharing archive, not from the jar. */
  @Test
  void theLauncherUsesTheClassDataArchive() throws Exception {
    assertThat(home.resolve("lib/tls-tunnel.jsa")).isRegularFile();
    Result r = launcher(Map.of("JAVA_OPTS", "-Xlog:class+load=info"), "--version");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("dev.tlstunnel.cli.Main source: shared objects file");
  }

  /**
   * A copy of the archive's layout uses the class-data archive; one the JVM cannot use (its jar
   * replaced, its bytes damaged, or memory flags it was not written for) is skipped without a word:
   * the command runs and prints only its output.
   */
  @ParameterizedTest
  @CsvSource({"intact,,true", "jar-replaced,,false", "damaged,,false", "intact,-Xmx40g,false"})
  void anArchiveTheJvmCannotUseIsSkippedSilently(String how, String javaOpts, boolean used)
      throws Exception {
    Path copy = Files.createTempDirectory(work, how);
    Files.createSymbolicLink(copy.resolve("runtime"), home.resolve("runtime"));
    Files.copy(home.resolve("tls-tunnel"), copy.resolve("tls-tunnel"));
    Files.createDirectory(copy.resolve("lib"));
    Files.copy(
        home.resolve("lib/tls-tunnel.jar"),
        copy.resolve("lib/tls-tunnel.jar"),
        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Path archive = copy.resolve("lib/tls-tunnel.jsa");
    if (how.equals("damaged")) {
      byte[] bytes = Files.readAllBytes(home.resolve("lib/tls-tunnel.jsa"));
      Arrays.fill(bytes, 0, 4096, (byte) 0x5a);
      Files.write(archive, bytes);
    } else {
      Files.copy(home.resolve("lib/tls-tunnel.jsa"), archive);
    }
    if (how.equals("jar-replaced")) {
      // A rebuilt jar: the archive recorded the old one's size and modification time.
      Files.setLastModifiedTime(
          copy.resolve("lib/tls-tunnel.jar"),
          java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    }
    String opts = "-Xlog:class+load=info" + (javaOpts == null ? "" : " " + javaOpts);
    Result loaded = run(copy, Map.of("JAVA_OPTS", opts), "--version");
    assertThat(loaded.code()).as(loaded.output()).isZero();
    assertThat(loaded.output())
        .contains("dev.tlstunnel.cli.Main source: " + (used ? "shared objects file" : "file:/"));
    Result plain =
        run(copy, javaOpts == null ? Map.of() : Map.of("JAVA_OPTS", javaOpts), "--version");
    assertThat(plain.code()).as(plain.output()).isZero();
    assertThat(plain.output().lines().toList())
        .hasSize(3)
        .first()
        .asString()
        .startsWith("tls-tunnel ");
  }

  /**
   * A server from the archive, with an EC or RSA key and either TLS provider, completes a
   * handshake.
   */
  @ParameterizedTest
  @CsvSource({"ec,", "rsa,", "ec,-Dtlstunnel.tls=jdk", "rsa,-Dtlstunnel.tls=jdk"})
  void serverHandshakesWithEachKeyTypeAndProvider(String keyType, String javaOpts)
      throws Exception {
    Path dir = Files.createTempDirectory(work, keyType);
    Map<String, String> opts = javaOpts == null ? Map.of() : Map.of("JAVA_OPTS", javaOpts);
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    Result made =
        launcher(
            opts,
            "cert",
            "--common-name",
            "localhost",
            "--key-type",
            keyType,
            "--cert-out",
            cert.toString(),
            "--key-out",
            key.toString());
    assertThat(made.code()).as(made.output()).isZero();
    int port = freePort();
    Path config = dir.resolve("server.toml");
    Files.writeString(
        config,
        "[server]\nbind_addr = \"127.0.0.1\"\nbind_port = %d\ncert_path = \"server.crt\"\n"
                .formatted(port)
            + "key_path = \"server.key\"\nauth_key = \"dist-archive-test-key-0123\"\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Result check = launcher(opts, "check", "-c", config.toString());
    assertThat(check.code()).as(check.output()).isZero();
    Process server = start(opts, "server", "-c", config.toString());
    try {
      X509Certificate seen = handshake(port, Duration.ofSeconds(60));
      assertThat(seen.getPublicKey().getAlgorithm()).isEqualTo(keyType.equals("ec") ? "EC" : "RSA");
      // Netty's libraries are mapped from lib/native, not from copies Netty wrote to /tmp.
      String maps = Files.readString(Path.of("/proc", Long.toString(server.pid()), "maps"));
      assertThat(maps)
          .contains(home.resolve("lib/native/libnetty_transport_native_io_uring").toString());
      if (javaOpts == null) {
        assertThat(maps)
            .contains(home.resolve("lib/native/libnetty_tcnative_linux_x86_64.so").toString());
      }
      assertThat(maps).doesNotContain("/tmp/libnetty");
    } finally {
      server.destroy();
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void serviceInstallRunsTheArchivesLauncher() throws Exception {
    Path config = clientConfig(Files.createTempDirectory(work, "service"));
    Result r =
        launcher(Map.of(), "service", "install", "client", "-c", config.toString(), "--print");
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("\nExecStart=" + home.resolve("tls-tunnel") + " client -c " + config + "\n");
  }

  /** From the source tree's jar, 'service install' installs a copy that runs with the flags. */
  @Test
  void aCopyInstalledFromTheJarRunsWithTheLauncherFlags() throws Exception {
    Path dir = Files.createTempDirectory(work, "copy");
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("run/systemd/system"));
    Files.createDirectories(root.resolve("etc/systemd/system"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Result install =
        run(
            List.of(
                java.toString(),
                "-jar",
                System.getProperty("dist.jar"),
                "service",
                "install",
                "client",
                "-c",
                clientConfig(dir).toString(),
                "--root",
                root.toString()),
            Map.of(),
            60);
    assertThat(install.code()).as(install.output()).isZero();
    assertThat(Files.readString(root.resolve("etc/systemd/system/tls-tunnel-client.service")))
        .contains("\nExecStart=/opt/tls-tunnel/tls-tunnel client -c ");
    Map<String, String> env = env();
    env.put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
    Result r =
        run(List.of(root.resolve("opt/tls-tunnel/tls-tunnel").toString(), "--version"), env, 60);
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output()).contains("-XX:+UseSerialGC", "-XX:MaxHeapSize=134217728", "tls-tunnel ");
  }

  private static Path clientConfig(Path dir) throws IOException {
    Path config = dir.resolve("client.toml");
    Files.writeString(
        config,
        "[client]\nserver_addr = \"127.0.0.1\"\nserver_port = 7000\n"
            + "auth_key = \"dist-archive-test-key-0123\"\nclient_id = \"dist\"\n\n"
            + "[[proxies]]\nname = \"web\"\npublish_port = 18080\nlocal_port = 3000\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    return config;
  }

  @Test
  void theRuntimeHoldsWhatJdepsFindsInTheJar() throws Exception {
    Path jdk = Path.of(System.getProperty("dist.jdk"));
    Result deps =
        run(
            List.of(
                jdk.resolve("bin/jdeps").toString(),
                "--print-module-deps",
                "--ignore-missing-deps",
                "--multi-release",
                "17",
                System.getProperty("dist.jar")),
            Map.of(),
            300);
    assertThat(deps.code()).as(deps.output()).isZero();
    Set<String> needed = new TreeSet<>(Arrays.asList(deps.output().strip().split(",")));
    needed.removeAll(OPTIONAL_MODULES);
    needed.addAll(PROVIDER_MODULES);
    String release = Files.readString(home.resolve("runtime/release"));
    String modules =
        release.lines().filter(l -> l.startsWith("MODULES=")).findFirst().orElseThrow();
    Set<String> bundled =
        new TreeSet<>(Arrays.asList(modules.substring(9, modules.length() - 1).split(" ")));
    assertThat(bundled).containsAll(needed);
    // Nothing more than what is needed, and what those modules require.
    assertThat(bundled).doesNotContainAnyElementsOf(OPTIONAL_MODULES);
    assertThat(bundled).doesNotContain("java.compiler", "jdk.jshell", "java.management.rmi");
  }

  private static Result launcher(Map<String, String> extra, String... args) throws Exception {
    return run(home, extra, args);
  }

  /** Runs the launcher of the copy in {@code dir}. */
  private static Result run(Path dir, Map<String, String> extra, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(dir.resolve("tls-tunnel").toString()));
    command.addAll(List.of(args));
    Map<String, String> env = env();
    env.putAll(extra);
    return run(command, env, 120);
  }

  private static Process start(Map<String, String> extra, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(home.resolve("tls-tunnel").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(Files.createTempFile(work, "server", ".log").toFile());
    pb.environment().clear();
    pb.environment().putAll(env());
    pb.environment().putAll(extra);
    return pb.start();
  }

  /** An environment with only the launcher's tools on PATH. */
  private static Map<String, String> env() {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("PATH", tools.toString());
    env.put("HOME", work.toString());
    return env;
  }

  private static X509Certificate handshake(int port, Duration within) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    X509Certificate[] seen = new X509Certificate[1];
    tls.init(null, new TrustManager[] {new Recording(seen)}, null);
    // The server process is still starting: retry until its port answers.
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(
            () -> {
              try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                socket.startHandshake();
                return seen[0] != null;
              }
            });
    return seen[0];
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Result(int code, String output) {}

  private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (!env.isEmpty()) {
      pb.environment().clear();
      pb.environment().putAll(env);
    }
    Path log = Files.createTempFile(work, "run", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          command + " did not end within " + timeoutSeconds + "s: " + Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }

  /** Accepts any server certificate and records it: the test checks its key type. */
  private record Recording(X509Certificate[] seen) implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      seen[0] = chain[0];
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
