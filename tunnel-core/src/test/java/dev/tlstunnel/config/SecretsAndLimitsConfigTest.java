package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tlstunnel.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The auth key from a file or the environment, permission warnings, and [server.limits]. */
@Timeout(10)
class SecretsAndLimitsConfigTest {
  static final String KEY = ConfigLoaderTest.KEY;
  private static final UnaryOperator<String> NO_ENV = name -> null;

  @TempDir Path dir;

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(dir.resolve("server.crt"), "cert");
    Files.writeString(dir.resolve("server.key"), "key");
  }

  private static String server(String keys) {
    return "[server]\nbind_port = 7000\ncert_path = \"server.crt\"\nkey_path = \"server.key\"\n"
        + keys;
  }

  private Path privateFile(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private List<String> serverProblems(String toml, UnaryOperator<String> env) {
    return catchThrowableOfType(
            ConfigException.class, () -> ConfigLoader.parseServer(toml, dir, env))
        .problems();
  }

  @Test
  void keyFromAFileDropsTheTrailingNewline() throws Exception {
    privateFile("key.txt", KEY + "\n");
    ServerConfig c = ConfigLoader.parseServer(server("auth_key_file = \"key.txt\"\n"), dir, NO_ENV);
    assertThat(c.authKey()).isEqualTo(KEY);
    privateFile("crlf.txt", KEY + "\r\n");
    ClientConfig client =
        ConfigLoader.parseClient(
            "[client]\nserver_addr = \"h\"\nserver_port = 7000\nauth_key_file = \"crlf.txt\"\n",
            dir,
            NO_ENV);
    assertThat(client.authKey()).isEqualTo(KEY);
  }

  @Test
  void keyFromTheEnvironment() throws Exception {
    UnaryOperator<String> env = Map.of("TUNNEL_KEY", KEY)::get;
    ServerConfig c = ConfigLoader.parseServer(server("auth_key_env = \"TUNNEL_KEY\"\n"), dir, env);
    assertThat(c.authKey()).isEqualTo(KEY);
    assertThat(serverProblems(server("auth_key_env = \"NOPE\"\n"), env))
        .containsExactly("server.auth_key_env: environment variable NOPE is not set");
    assertThat(serverProblems(server("auth_key_env = \"EMPTY\"\n"), Map.of("EMPTY", "")::get))
        .containsExactly("server.auth_key_env: environment variable EMPTY is empty");
  }

  @Test
  void exactlyOneSourceOfTheKey() throws Exception {
    privateFile("key.txt", KEY);
    assertThat(
            serverProblems(
                server("auth_key = \"" + KEY + "\"\nauth_key_file = \"key.txt\"\n"), NO_ENV))
        .containsExactly(
            "server.auth_key_file: set only one of auth_key, auth_key_file and auth_key_env");
    assertThat(serverProblems(server(""), NO_ENV))
        .containsExactly("server.auth_key: missing required key");
  }

  @Test
  void emptyOrMissingKeyFileIsAnErrorNamingTheKey() throws Exception {
    privateFile("empty.txt", "\n");
    assertThat(serverProblems(server("auth_key_file = \"empty.txt\"\n"), NO_ENV))
        .containsExactly("server.auth_key_file: file is empty: " + dir.resolve("empty.txt"));
    assertThat(serverProblems(server("auth_key_file = \"none.txt\"\n"), NO_ENV))
        .containsExactly(
            "server.auth_key_file: cannot read "
                + dir.resolve("none.txt")
                + ": NoSuchFileException");
  }

  @Test
  void filesReadableByOthersAreNamedInAWarning() throws Exception {
    Path key = dir.resolve("key.txt");
    Files.writeString(key, KEY);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Path config = dir.resolve("server.toml");
    Files.writeString(config, server("auth_key_file = \"key.txt\"\n"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
    try (LogCapture capture = new LogCapture(ConfigValidator.class)) {
      ConfigLoader.loadServer(config);
      assertThat(capture.messages())
          .containsExactly(
              config
                  + ": config file is readable by group or others and may hold the auth key;"
                  + " restrict it (chmod 600)",
              "server.auth_key_file: "
                  + key
                  + " is readable by group or others; restrict it (chmod 600)");
    }
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    try (LogCapture capture = new LogCapture(ConfigValidator.class)) {
      ConfigLoader.loadServer(config);
      assertThat(capture.messages()).isEmpty();
    }
  }

  @Test
  void toStringNeverShowsTheKey() throws Exception {
    ServerConfig server = ConfigLoader.parseServer(server("auth_key = \"" + KEY + "\"\n"), dir);
    assertThat(server.toString()).doesNotContain(KEY).contains("authKey=***");
    ClientConfig client =
        ConfigLoader.parseClient(
            "[client]\nserver_addr = \"h\"\nserver_port = 7000\nauth_key = \"" + KEY + "\"\n", dir);
    assertThat(client.toString()).doesNotContain(KEY).contains("authKey=***");
  }

  @Test
  void limitsAreParsedWithDefaultsForAbsentKeys() throws Exception {
    ServerConfig c =
        ConfigLoader.parseServer(
            server(
                "auth_key = \""
                    + KEY
                    + "\"\n[server.limits]\nmax_connections_per_proxy = 10\n"
                    + "connection_rate = 5\nauth_penalty_max = \"30s\"\n"
                    + "max_session_window = 0\n"),
            dir);
    assertThat(c.limits().maxConnectionsPerProxy()).isEqualTo(10);
    assertThat(c.limits().maxSessionWindow()).isZero();
    assertThat(c.limits().connectionRate()).isEqualTo(5);
    assertThat(c.limits().authPenaltyMax()).hasSeconds(30);
    assertThat(c.limits().maxControlFrame()).isEqualTo(Limits.DEFAULT.maxControlFrame());
    assertThat(ConfigLoader.parseServer(server("auth_key = \"" + KEY + "\"\n"), dir).limits())
        .isEqualTo(Limits.DEFAULT);
  }

  @Test
  void limitsAboveTheProtocolCeilingAreRejectedNamingTheKey() {
    assertThat(
            serverProblems(
                server(
                    "auth_key = \""
                        + KEY
                        + "\"\n[server.limits]\nmax_control_frame = 100000\n"
                        + "max_proxies_per_client = 257\nmax_streams_per_session = 0\n"
                        + "max_receive_window = 1024\nmax_session_window = 1073741825\n"
                        + "max_unauthenticated = -1\n"),
                NO_ENV))
        .containsExactly(
            "server.limits.max_control_frame: must be between 4096 and 65536, got 100000",
            "server.limits.max_proxies_per_client: must be between 1 and 256, got 257",
            "server.limits.max_streams_per_session: must be between 2 and 16384, got 0",
            "server.limits.max_receive_window: must be between 262144 and 16777216, got 1024",
            "server.limits.max_session_window: must be between 0 and 1073741824, got 1073741825",
            "server.limits.max_unauthenticated: must be between 1 and 1048576, got -1");
  }
}
