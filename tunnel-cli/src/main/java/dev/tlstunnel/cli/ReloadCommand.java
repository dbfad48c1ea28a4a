package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel reload -c FILE}: asks the server or client running {@code FILE} to read it
 * again and apply it, through the Unix domain socket in its state directory ({@link ReloadSocket});
 * prints the plan and what became of each step. Exit 0 when it was applied (or there was nothing to
 * change, or with {@code --dry-run} planned), 1 when it was refused or rolled back.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Apply a changed config file to the process running it, without a restart.",
      "All of the file is applied or nothing: an invalid file, a change that",
      "cannot be made while running or a proxy the server rejects leaves the",
      "running configuration as it was."
    })
public final class ReloadCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The config file the running server or client was started with.")
  private Path config;

  @Option(names = "--dry-run", description = "Print the plan only; change nothing.")
  private boolean dryRun;

  @Option(names = "--json", description = "Print the answer's JSON as it is.")
  private boolean json;

  @Mixin private ReloadSocket socket;

  @Override
  public Integer call() throws Exception {
    ConfigFiles.requireReadable(config);
    Path path = socket.of(config);
    if (!Files.exists(path)) {
      throw new ConfigException(
          "no running server or client of "
              + config
              + " listens on "
              + path
              + " (is it running, started with -c "
              + config
              + "? with another --state-dir?)");
    }
    // Made here, not in a static field: picocli creates every command at start-up.
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode body = mapper.createObjectNode();
    body.put("config", config.toAbsolutePath().normalize().toString());
    body.put("dry_run", dryRun);
    String answer;
    try {
      answer = post(path, mapper.writeValueAsString(body));
    } catch (IOException e) {
      throw new ConfigException(
          "cannot reach the process running " + config + " on " + path + ": " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    JsonNode result = mapper.readTree(answer);
    if (json) {
      out.println(answer.strip());
    } else if (result.has("error")) {
      throw new ConfigException(path + " answered: " + result.path("error").asText());
    } else {
      out.print(ReloadOutput.render(result));
    }
    out.flush();
    String outcome = result.path("outcome").asText("");
    return switch (outcome) {
      case "applied", "unchanged", "planned" -> ExitCodes.OK;
      default -> ExitCodes.USAGE;
    };
  }

  /** {@code POST /api/reload} over the socket; the answer's body. */
  static String post(Path socket, String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /api/reload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + content.length
            + "\r\nConnection: close\r\n\r\n";
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      ByteBuffer payload = ByteBuffer.wrap(content);
      while (payload.hasRemaining()) {
        ch.write(payload);
      }
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
      while (ch.read(buf) >= 0) {
        read.write(buf.array(), 0, buf.position());
        buf.clear();
        if (read.size() > 4 * 1024 * 1024) {
          throw new IOException("answer larger than 4 MiB");
        }
      }
      String response = read.toString(StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.1 ") || split < 0) {
        throw new IOException("not an HTTP answer");
      }
      return response.substring(split + 4);
    }
  }
}
