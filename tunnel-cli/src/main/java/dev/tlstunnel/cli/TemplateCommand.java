package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tls-tunnel template server|client}: prints or writes a commented config file. */
@Command(
    name = "template",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print or write (-o) a commented config file with every option at its default.",
      "The server template gets a freshly generated auth_key."
    })
public final class TemplateCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "server|client", description = "Which config: server or client.")
  private Role kind;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the template to FILE instead of printing it.")
  private Path output;

  @Option(names = "--force", description = "Overwrite FILE when it exists.")
  private boolean force;

  @Override
  public Integer call() throws Exception {
    String text = kind == Role.SERVER ? Templates.server(AuthKeys.random()) : Templates.client();
    PrintWriter out = spec.commandLine().getOut();
    if (output == null) {
      out.print(text);
      out.flush();
      return 0;
    }
    if (!force && Files.exists(output)) {
      throw new ConfigException(
          output + " already exists: remove it, choose another file, or add --force to overwrite");
    }
    // Both may hold an auth key: owner-only, as check asks.
    AuthKeys.writeOwnerOnly(output, text);
    out.println("Wrote " + output + " (readable by its owner only)");
    if (kind == Role.SERVER) {
      Path dir = output.toAbsolutePath().getParent();
      out.println("Next: create the certificate and key it names (check and server need them):");
      out.println(
          "  tls-tunnel cert --common-name HOST --cert-out "
              + dir.resolve("server.crt")
              + " --key-out "
              + dir.resolve("server.key"));
      out.println("then: tls-tunnel check -c " + output + " && tls-tunnel server -c " + output);
    } else {
      out.println("Next: set server_addr, auth_key and server_fingerprint (or ca_cert_path),");
      out.println("then: tls-tunnel check -c " + output + " && tls-tunnel client -c " + output);
    }
    out.flush();
    return 0;
  }
}
