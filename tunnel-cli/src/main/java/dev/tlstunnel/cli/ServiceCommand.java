package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        "Write a systemd unit that runs 'tls-tunnel server|client -c FILE'.",
        "It restarts it on failure; this command says how to enable it. The unit runs",
        "the launcher (with the JVM flags of ./tls-tunnel) of the release archive this",
        "command comes from, or of a copy it installs in --install-dir.",
        "--print only prints the unit."
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
        names = "--install-dir",
        paramLabel = "DIR",
        description =
            "Where to install the copy the service runs, unless this command runs from a release"
                + " archive (default: /opt/tls-tunnel).")
    private Path installDir = InstalledCopy.DEFAULT_DIR;

    @Option(
        names = "--jar",
        hidden = true,
        paramLabel = "FILE",
        description = "The jar to install instead of the running one (for packaging and tests).")
    private Path jar;

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
      InstalledCopy copy = InstalledCopy.of(jar, installDir);
      String unit = SystemdUnit.render(roleName, file, copy, user);
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
      copy.install(root);
      if (copy.needsCopy()) {
        out.println(
            "Installed " + copy.launcher() + " and " + copy.home().resolve(InstalledCopy.JAR));
      }
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
}
