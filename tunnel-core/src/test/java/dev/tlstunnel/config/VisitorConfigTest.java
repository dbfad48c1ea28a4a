package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Private proxies and {@code [[visitors]]} in client files: what is read, and every error. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VisitorConfigTest {
  private static final String SECRET = "visitor-secret-0123456789";

  @TempDir Path dir;

  private static String client(String rest) {
    return ConfigValidationTest.client(rest);
  }

  private static String privateProxy(String extra) {
    return "[[proxies]]\nname = \"ssh\"\nvisibility = \"private\"\nlocal_port = 22\n" + extra;
  }

  private static String visitor(String extra) {
    return "[[visitors]]\nname = \"office-ssh\"\ntarget = \"office/ssh\"\nbind_port = 2222\n"
        + extra;
  }

  private ClientConfig parse(String toml) throws ConfigException {
    return ConfigLoader.parseClient(toml, dir, Map.of("SSH_SECRET", SECRET)::get);
  }

  private List<String> problems(String toml) {
    return catchThrowableOfType(ConfigException.class, () -> parse(toml)).problems();
  }

  @Test
  void privateProxyAndVisitorAreRead() throws Exception {
    ClientConfig c =
        parse(
            client(
                privateProxy(
                        "allowed_visitors = [\"laptop\", \"ci-runner\"]\nsecret = \""
                            + SECRET
                            + "\"\n")
                    + visitor("secret_env = \"SSH_SECRET\"\n")
                    + "[visitors.bind_retry]\nmax_retries = -1\ninitial_delay = \"500ms\"\n"));
    ProxyConfig ssh = c.proxies().get(0);
    assertThat(ssh.isPrivate()).isTrue();
    assertThat(ssh.publishAddr()).isNull();
    assertThat(ssh.publishPort()).isZero();
    assertThat(ssh.localAddr()).isEqualTo("127.0.0.1");
    assertThat(ssh.privateAccess().allowedVisitors()).containsExactly("laptop", "ci-runner");
    assertThat(ssh.privateAccess().secret()).isEqualTo(SECRET);
    VisitorConfig v = c.visitors().get(0);
    assertThat(v)
        .isEqualTo(
            new VisitorConfig(
                "office-ssh",
                "office/ssh",
                "127.0.0.1",
                2222,
                SECRET,
                new BindRetryPolicy(-1, Duration.ofMillis(500), Duration.ofSeconds(60))));
    assertThat(v.targetClientId()).isEqualTo("office");
    assertThat(v.targetProxy()).isEqualTo("ssh");
  }

  @Test
  void visitorDefaultsAndSecretFromAFile() throws Exception {
    Path file = dir.resolve("secret.txt");
    Files.writeString(file, SECRET + "\n");
    file.toFile().setReadable(false, false);
    file.toFile().setReadable(true, true);
    VisitorConfig v = parse(client(visitor("secret_file = \"secret.txt\"\n"))).visitors().get(0);
    assertThat(v.bindAddr()).isEqualTo("127.0.0.1");
    assertThat(v.bindRetry()).isEqualTo(BindRetryPolicy.DEFAULT);
    assertThat(v.secret()).isEqualTo(SECRET);
  }

  @Test
  void aClientWithOnlyVisitorsIsFine() throws Exception {
    ClientConfig c = parse(client(visitor("secret = \"" + SECRET + "\"\n")));
    assertThat(c.proxies()).isEmpty();
    assertThat(c.visitors()).hasSize(1);
  }

  @Test
  void privateProxyErrorsNameTheirKeys() {
    assertThat(problems(client(privateProxy(""))))
        .containsExactlyInAnyOrder(
            "proxies[0].allowed_visitors: missing required key (client ids that may visit, or"
                + " [\"*\"] for all)",
            "proxies[0].secret: missing required key");
    assertThat(
            problems(
                client(
                    privateProxy(
                        "allowed_visitors = [\"ok\", \"not ok\", 3]\nsecret = \"short\"\n"
                            + "publish_port = 8080\n"))))
        .containsExactlyInAnyOrder(
            "proxies[0].allowed_visitors[2]: expected a string, got integer",
            "proxies[0].secret: must be at least 16 characters (got 5)",
            "proxies[0].publish_port: not used by a private proxy (visibility = \"private\" opens"
                + " no public port)");
    assertThat(
            problems(
                client(
                    privateProxy(
                        "allowed_visitors = []\nsecret = \""
                            + SECRET
                            + "\"\nsecret_env = \"SSH_SECRET\"\n"))))
        .containsExactlyInAnyOrder(
            "proxies[0].allowed_visitors: must not be empty (client ids that may visit, or"
                + " [\"*\"] for all)",
            "proxies[0].secret_env: set only one of secret, secret_file and secret_env");
    assertThat(
            problems(
                client(
                    privateProxy(
                        "allowed_visitors = [\"bad id\"]\nsecret = \"" + SECRET + "\"\n"))))
        .containsExactly(
            "proxies[0].allowed_visitors[0]: must match [A-Za-z0-9._-]{1,64}, got 'bad id'");
  }

  @Test
  void visibilityErrors() {
    assertThat(
            problems(
                client(
                    "[[proxies]]\nname = \"a\"\nvisibility = \"secret\"\npublish_port = 1\n"
                        + "local_port = 2\n")))
        .containsExactly("proxies[0].visibility: must be \"public\" or \"private\", got 'secret'");
    assertThat(
            problems(
                client(
                    ConfigValidationTest.proxy("a", 8080)
                        + "allowed_visitors = [\"x\"]\nsecret = \""
                        + SECRET
                        + "\"\n")))
        .containsExactlyInAnyOrder(
            "proxies[0].allowed_visitors: only for a private proxy (visibility = \"private\")",
            "proxies[0].secret: only for a private proxy (visibility = \"private\")");
  }

  @Test
  void visitorErrorsNameTheirKeys() {
    assertThat(problems(client("[[visitors]]\nbind_port = 70000\n")))
        .containsExactlyInAnyOrder(
            "visitors[0].name: missing required key",
            "visitors[0].target: missing required key",
            "visitors[0].bind_port: must be between 0 and 65535, got 70000",
            "visitors[0].secret: missing required key");
    assertThat(
            problems(
                client(
                    "[[visitors]]\nname = \"v\"\ntarget = \"ssh\"\nbind_port = 2222\nsecret = \""
                        + SECRET
                        + "\"\nbind_adr = \"0.0.0.0\"\n")))
        .containsExactlyInAnyOrder(
            "visitors[0].bind_adr: unknown key (did you mean bind_addr?)",
            "visitors[0].target: must be CLIENT_ID/PROXY, the publisher's client_id and the"
                + " proxy's name (each [A-Za-z0-9._-]{1,64}), got 'ssh'");
  }

  @Test
  void visitorsMustNotCollide() {
    String secret = "secret = \"" + SECRET + "\"\n";
    assertThat(
            problems(
                client(
                    "admin_port = 2222\n"
                        + visitor(secret)
                        + "[[visitors]]\nname = \"office-ssh\"\ntarget = \"office/web\"\n"
                        + "bind_addr = \"0.0.0.0\"\nbind_port = 2223\n"
                        + secret
                        + "[[visitors]]\nname = \"third\"\ntarget = \"office/db\"\n"
                        + "bind_port = 2223\n"
                        + secret)))
        .containsExactlyInAnyOrder(
            "visitors[0].bind_port: 2222 is also client.admin_port",
            "visitors[1].name: duplicate name 'office-ssh' (also visitors[0].name)",
            "visitors[2].bind_port: binding 127.0.0.1:2223 overlaps visitors[1] 'office-ssh'"
                + " (0.0.0.0:2223)");
  }

  @Test
  void secretsNeverShowInToString() throws Exception {
    ClientConfig c =
        parse(
            client(
                privateProxy("allowed_visitors = [\"*\"]\nsecret = \"" + SECRET + "\"\n")
                    + visitor("secret = \"" + SECRET + "\"\n")));
    assertThat(c.toString()).doesNotContain(SECRET).contains("secret=***");
    assertThat(c.visitors().get(0).toString()).doesNotContain(SECRET);
    assertThat(c.proxies().get(0).toString()).doesNotContain(SECRET);
  }

  @Test
  void builtInCodeTheSameRulesApply() {
    ClientConfig.Builder built =
        ClientConfig.builder()
            .server("tunnel.example.com", 7000)
            .authKey(ConfigValidationTest.KEY)
            .clientId("laptop")
            .addVisitor(VisitorConfig.of("v", "office/ssh", 0, "short"));
    assertThat(catchThrowableOfType(ConfigException.class, built::build).problems())
        .containsExactly("visitors[0].secret: must be at least 16 characters (got 5)");
  }
}
