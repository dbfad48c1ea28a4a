package dev.tlstunnel.cli;

import dev.tlstunnel.client.RouteCheck;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.ForwarderConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tls-tunnel route test}: which route the forwarders of a client config give a target. */
@Command(
    name = "route",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Show how forwarders route targets.",
    subcommands = RouteCommand.Test.class)
public final class RouteCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: missing command (route test)");
    spec.commandLine().usage(err);
    return Main.EXIT_USAGE;
  }

  /** {@code route test -c client.toml HOST[:PORT]}. */
  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Print the route each forwarder of a client config gives a target.",
        "The route (direct, tunnel or block), the rule that chose it and the target's",
        "addresses, with the direct policy's verdict. Names are resolved on this host."
      })
  static final class Test implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The client config file.")
    private Path config;

    @Option(
        names = {"-f", "--forwarder"},
        paramLabel = "NAME",
        description = "Only this forwarder (default: every forwarder).")
    private String forwarder;

    @Parameters(
        paramLabel = "HOST[:PORT]",
        description =
            "The target, e.g. www.example.com:443 or [2001:db8::1]:80 (port 443 if none).")
    private String target;

    @Override
    public Integer call() throws Exception {
      ClientConfig cfg = ConfigLoader.loadClient(ConfigFiles.requireReadable(config));
      HostPort hp = HostPort.parse(target);
      if (hp == null) {
        throw new CommandFailure(
            Main.EXIT_USAGE, "'" + target + "' is not HOST or HOST:PORT", null);
      }
      List<ForwarderConfig> chosen =
          cfg.forwarders().stream()
              .filter(f -> forwarder == null || f.name().equals(forwarder))
              .toList();
      if (chosen.isEmpty()) {
        throw new CommandFailure(
            Main.EXIT_USAGE,
            forwarder == null
                ? config + " has no [[forwarders]]"
                : config + " has no forwarder named '" + forwarder + "'",
            null);
      }
      PrintWriter out = spec.commandLine().getOut();
      for (ForwarderConfig f : chosen) {
        RouteCheck.describe(f, hp.host(), hp.port()).forEach(out::println);
      }
      out.flush();
      return 0;
    }
  }

  /** {@code host}, {@code host:port} or {@code [v6]:port}. */
  record HostPort(String host, int port) {
    static HostPort parse(String s) {
      String host = s;
      String port = null;
      if (s.startsWith("[")) {
        int end = s.indexOf(']');
        if (end < 0) {
          return null;
        }
        host = s.substring(1, end);
        if (end + 1 < s.length()) {
          if (s.charAt(end + 1) != ':') {
            return null;
          }
          port = s.substring(end + 2);
        }
      } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
        host = s.substring(0, s.indexOf(':'));
        port = s.substring(s.indexOf(':') + 1);
      }
      int p = 443;
      if (port != null) {
        try {
          p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return host.isEmpty() || p < 1 || p > 65535 ? null : new HostPort(host, p);
    }
  }
}
