package dev.tlstunnel.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** docs/EMBEDDING.md's example is this module's {@link EmbeddingExample}, and it works. */
@Timeout(60)
class EmbeddingExampleTest {
  private static final Path SOURCE =
      Path.of("src/test/java/dev/tlstunnel/example/EmbeddingExample.java");
  private static final Path DOC = Path.of("../docs/EMBEDDING.md");

  @TempDir Path dir;

  @Test
  void theDocumentShowsTheExampleAsItIs() throws Exception {
    String source = Files.readString(SOURCE, StandardCharsets.UTF_8);
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .contains("```java\n" + source + "```\n");
  }

  @Test
  void theExampleReadsTheLocalServiceThroughTheTunnel() throws Exception {
    TestPki.CertFiles pki = TestPki.selfSigned(dir, "localhost");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      EmbeddingExample.main(new String[] {pki.cert().toString(), pki.key().toString()});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    original.print(output);
    assertThat(output)
        .contains("through the tunnel: hello from the local service")
        .contains("server: Started[")
        .contains("server: ProxyBound[")
        .contains("client: Connected[")
        .contains("client: ProxyStatusChanged[")
        .contains("published on /127.0.0.1:");
  }
}
