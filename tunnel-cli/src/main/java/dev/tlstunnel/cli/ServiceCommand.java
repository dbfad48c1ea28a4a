package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tls-tunnel service install server|client -c FILE}: a systemd unit for a config. */
@Command(
    name = "service",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Run the server or client as a system service (systemd).",
    subcommands = ServiceCommand.Install.class)
public final class ServiceCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: install");
  }

  /** {@code service install}. */
  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Write a systemd unit that runs 'tls-tunnel server|client -c FILE' and restarts it on",
        "failure, and say how to enable it. --print only prints the unit."
      })
  static final class Install implements Callable<Integer> {
    /** Where systemd keeps its runtime state; present only when systemd is the init system. */
    static final String SYSTEMD_RUNTIME = "run/systemd/system";

    private static final String UNIT_DIR = "etc/systemd/system";
    private static final Pattern UNIT_NAME = Pattern.compile("[A-Za-z0-9:_.\\\\-]{1,200}");

    @Spec private CommandSpec spec;

    @Parameters(paramLabel = "server|client", description = "Which side the config is for.")
    private Role role;

    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The config file the service runs with (checked first).")
    private Path config;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "The unit's name (default: tls-tunnel-server or tls-tunnel-client).")
    private String name;

    @Option(
        names = "--user",
        paramLabel = "USER",
        description = "Run as this account instead of root (it must be able to read the files).")
    private String user;

    @Option(names = "--print", description = "Print the unit instead of installing it.")
    private boolean print;

    @Option(
        names = "--root",
        hidden = true,
        paramLabel = "DIR",
        description = "Prefix of /run/systemd and /etc/systemd (for packaging and tests).")
    private Path root = Path.of("/");

    @Override
    public Integer call() throws Exception {
      String roleName = role.name().toLowerCase(Locale.ROOT);
      String unitName = name != null ? name : SystemdUnit.defaultName(roleName);
      if (!UNIT_NAME.matcher(unitName).matches()) {
        throw new ParameterException(
            spec.commandLine(), "--name: '" + unitName + "' is not a valid unit name");
      }
      Path file = ConfigFiles.requireReadable(config).toAbsolutePath().normalize();
      if (role == Role.SERVER) {
        ConfigLoader.loadServer(file);
      } else {
        ConfigLoader.loadClient(file);
      }
      String unit = SystemdUnit.render(roleName, file, launcher(), user);
      PrintWriter out = spec.commandLine().getOut();
      if (print) {
        out.print(unit);
        out.flush();
        return 0;
      }
      Path runtime = root.resolve(SYSTEMD_RUNTIME);
      if (!Files.isDirectory(runtime)) {
        throw new ConfigException(
            "systemd is not running on this machine ("
                + runtime
                + " is missing): use --print to see the unit, or run 'tls-tunnel "
                + roleName
                + " -c "
                + file
                + "' under your own supervisor");
      }
      Path target = root.resolve(UNIT_DIR).resolve(unitName + ".service");
      boolean existed = Files.exists(target);
      try {
        Files.writeString(target, unit);
      } catch (AccessDeniedException e) {
        throw new ConfigException(
            "cannot write " + target + ": permission denied; run this command with sudo");
      }
      out.println((existed ? "Replaced " : "Wrote ") + target);
      out.println("Enable and start it with:");
      out.println("  sudo systemctl daemon-reload && sudo systemctl enable --now " + unitName);
      out.println("Follow its log with:  journalctl -u " + unitName + " -f");
      out.flush();
      return 0;
    }
  }

  /**
   * How to start this program again: the running JVM's java and this jar, or the class path and
   * main class when not run from a jar (as in tests).
   */
  static List<String> launcher() throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java));
    Path codeSource;
    try {
      codeSource = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new IOException("cannot find this program's jar: " + e.getMessage(), e);
    }
    if (Files.isRegularFile(codeSource)) {
      command.addAll(List.of("-jar", codeSource.toString()));
    } else {
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    }
    return command;
  }
}
