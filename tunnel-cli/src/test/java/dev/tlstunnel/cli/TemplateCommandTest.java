package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls-tunnel template}: every template passes {@code check} unchanged and lists every key.
 */
@Timeout(30)
class TemplateCommandTest {
  @TempDir Path dir;

  @Test
  void serverTemplatePassesCheckNextToTheCertificateThatCertWrites() throws Exception {
    Path config = dir.resolve("server.toml");
    CliRun template = CliRun.run("template", "server", "-o", config.toString());
    assertThat(template.code()).as(template.err()).isZero();
    assertThat(template.out()).startsWith("Wrote " + config + " (readable by its owner only)\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");
    // Before the certificate exists, check refuses what server would refuse.
    CliRun early = CliRun.run("check", "-c", config.toString());
    assertThat(early.code()).isEqualTo(1);
    assertThat(early.err())
        .isEqualTo(
            "error: server.cert_path: file not found: "
                + dir.resolve("server.crt")
                + "\nerror: server.key_path: file not found: "
                + dir.resolve("server.key")
                + "\n");
    // The command the template command printed, word for word (HOST filled in).
    String printed =
        template
            .out()
            .lines()
            .filter(l -> l.startsWith("  tls-tunnel cert "))
            .findFirst()
            .orElseThrow();
    List<String> words = List.of(printed.strip().replace("HOST", "tunnel.example.com").split(" "));
    CliRun cert = CliRun.run(words.subList(1, words.size()).toArray(String[]::new));
    assertThat(cert.code()).as(cert.err()).isZero();

    CliRun check = CliRun.run("check", "-c", config.toString());

    assertThat(check.err()).isEmpty();
    assertThat(check.code()).isZero();
    assertThat(check.out()).contains("OK: server config", "listen:      0.0.0.0:7000");
  }

  @Test
  void clientTemplatePassesCheck() throws Exception {
    Path config = dir.resolve("client.toml");
    assertThat(CliRun.run("template", "client", "-o", config.toString()).code()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");

    CliRun check = CliRun.run("check", "-c", config.toString());

    assertThat(check.err()).isEmpty();
    assertThat(check.code()).isZero();
    assertThat(check.out())
        .contains("server:    tunnel.example.com:7000", "web: 0.0.0.0:8080 -> 127.0.0.1:3000");
  }

  @Test
  void printedTemplatesAreTheFileTemplatesAndServerKeysAreRandom() {
    CliRun one = CliRun.run("template", "server");
    CliRun two = CliRun.run("template", "server");
    assertThat(one.code()).isZero();
    assertThat(one.out()).contains("[server]", "[server.bind_retry]");
    String keyLine = "(?m)^auth_key = \"[A-Za-z0-9_-]{43}\"$";
    assertThat(one.out()).containsPattern(keyLine);
    assertThat(one.out()).isNotEqualTo(two.out());
    assertThat(CliRun.run("template", "client").out()).isEqualTo(Templates.client());
  }

  @Test
  void templatesNameEveryConfigKey() throws Exception {
    String server = Templates.server("k".repeat(20));
    String client = Templates.client();
    for (String key : keys("SERVER_KEYS", "RETRY_KEYS", "LIMIT_KEYS")) {
      if (!List.of("bind_retry", "limits", "egress", "notify", "cluster").contains(key)) { // tables

        assertThat(server).containsPattern(Pattern.compile("(?m)^#? ?" + key + " = "));
      }
    }
    assertThat(server)
        .contains(
            "[server.bind_retry]",
            "[server.limits]",
            "[server.egress]",
            "# [[server.notify]]",
            "# [server.cluster]");
    for (String key : forwardingKeys("EGRESS_KEYS")) {
      if (!key.equals("clients")) {
        assertThat(server).containsPattern(Pattern.compile("(?m)^#? ?" + key + " = "));
      }
    }
    for (String key :
        keys(
            "CLIENT_KEYS",
            "PROXY_KEYS",
            "RECONNECT_KEYS",
            "RETRY_KEYS",
            "VisitorToml.VISITOR_KEYS")) {
      if (key.equals("bind_retry") || key.equals("reconnect") || key.equals("notify")) {
        continue; // tables, checked by their own keys and headers below
      }
      assertThat(client).containsPattern(Pattern.compile("(?m)^#? ?" + key + " = "));
    }
    assertThat(client)
        .contains("[client.reconnect]", "# [proxies.bind_retry]", "[[proxies]]", "# [[visitors]]");
    for (String key : forwardingKeys("FORWARDER_KEYS", "ROUTING_KEYS", "RULE_KEYS", "RULES_KEYS")) {
      if (!List.of("bind_retry", "routing", "direct", "rules").contains(key)) {
        assertThat(client).containsPattern(Pattern.compile("(?m)^# " + key + " = "));
      }
    }
    assertThat(client)
        .contains("# [[forwarders]]", "# [forwarders.routing]", "# [[forwarders.routing.rules]]");
  }

  @Test
  void configReferenceDocumentsEveryKey() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "CONFIG.md"));
    for (String key :
        keys(
            "SERVER_KEYS",
            "CLIENT_KEYS",
            "PROXY_KEYS",
            "RETRY_KEYS",
            "RECONNECT_KEYS",
            "LIMIT_KEYS",
            "VisitorToml.VISITOR_KEYS")) {
      assertThat(doc).as("docs/CONFIG.md mentions %s", key).contains("`" + key + "`");
    }
    for (String key :
        forwardingKeys(
            "FORWARDER_KEYS", "ROUTING_KEYS", "RULE_KEYS", "RULES_KEYS", "EGRESS_KEYS")) {
      assertThat(doc).as("docs/CONFIG.md mentions %s", key).contains("`" + key + "`");
    }
  }

  @Test
  void refusesToOverwriteAFile() throws Exception {
    Path config = Files.writeString(dir.resolve("server.toml"), "# mine");
    CliRun run = CliRun.run("template", "server", "-o", config.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("already exists", "--force");
    assertThat(Files.readString(config)).isEqualTo("# mine");
  }

  /** The forwarding keys' lists, like {@link #keys}. */
  static List<String> forwardingKeys(String... fields) throws ReflectiveOperationException {
    List<String> qualified = new ArrayList<>();
    for (String f : fields) {
      qualified.add("ForwardingMapping." + f);
    }
    return keys(qualified.toArray(String[]::new));
  }

  /**
   * The config loader's lists of valid keys ({@code FIELD} of TomlMapping, or {@code Class.FIELD}),
   * so a new key cannot be left out of the docs.
   */
  @SuppressWarnings("unchecked")
  static List<String> keys(String... fields) throws ReflectiveOperationException {
    List<String> all = new ArrayList<>();
    for (String name : fields) {
      int dot = name.indexOf('.');
      String owner = dot < 0 ? "TomlMapping" : name.substring(0, dot);
      Class<?> mapping = Class.forName("dev.tlstunnel.config." + owner);
      Field field = mapping.getDeclaredField(name.substring(dot + 1));
      field.setAccessible(true);
      all.addAll((List<String>) field.get(null));
    }
    return all;
  }
}
