package dev.tlstunnel.cli;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.ConfigException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code tls-tunnel} command: global options and the subcommands. {@link #run(String...)}
 * returns the exit code instead of exiting, so tests can run commands in-process.
 */
@Command(
    name = "tls-tunnel",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A reverse tunnel over TLS: publish private services through a public server.")
public final class Main implements Callable<Integer> {

  /** Exit code for usage and configuration errors, and any other failure to run a command. */
  public static final int EXIT_USAGE = 1;

  /**
   * The subcommands, in the order help lists them. picocli reads every command's annotations when
   * it is added, a tenth of a second for all of them at start-up, so a command line that names one
   * gets only that one ({@link #commandLine(Main, PrintWriter, PrintWriter, String...)}).
   */
  static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

  private final StopSignal stopSignal;

  @Spec private CommandSpec spec;

  @Option(
      names = "-v",
      scope = ScopeType.INHERIT,
      description = "More logging: -v debug, -vv trace and stack traces on errors.")
  private boolean[] verbosity = new boolean[0];

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      scope = ScopeType.INHERIT,
      description = "Log level of tls-tunnel itself: ${COMPLETION-CANDIDATES}.")
  private LogLevels.Level logLevel;

  Main(StopSignal stopSignal) {
    this.stopSignal = stopSignal;
  }

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    StopSignal stop = StopSignal.installed();
    int code = run(stop, args);
    stop.markDone();
    System.exit(code);
  }

  /** Runs a command line with the process's streams; returns the exit code. */
  public static int run(String... args) {
    return run(StopSignal.manual(), args);
  }

  private static int run(StopSignal stop, String... args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    return run(out, err, stop, args);
  }

  /** Runs a command line writing to {@code out} and {@code err}; returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, StopSignal stop, String... args) {
    return commandLine(new Main(stop), out, err, args).execute(args);
  }

  /**
   * The configured picocli command line for {@code main}, with every subcommand; tests may add
   * subcommands to it.
   */
  static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(main);
    SUBCOMMANDS.values().forEach(cmd::addSubcommand);
    return configured(cmd, main, out, err);
  }

  /**
   * The command line that parses {@code args} as the full one does: only the subcommand they name
   * when the words before it are no more than {@code -v} and {@code --log-level LEVEL}; none for
   * {@code --version} alone; all of them otherwise (help, an unknown command, other options).
   */
  static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err, String... args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return configured(new CommandLine(main), main, out, err);
    }
    Class<?> named = namedSubcommand(args);
    if (named == null) {
      return commandLine(main, out, err);
    }
    CommandLine cmd = new CommandLine(main);
    cmd.addSubcommand(named);
    return configured(cmd, main, out, err);
  }

  private static Class<?> namedSubcommand(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--log-level")) {
        i++;
      } else if (!arg.startsWith("--log-level=") && !arg.matches("-v+")) {
        return arg.equals("help") ? null : SUBCOMMANDS.get(arg);
      }
    }
    return null;
  }

  private static Map<String, Class<?>> subcommands() {
    Map<String, Class<?>> all = new LinkedHashMap<>();
    all.put("server", ServerCommand.class);
    all.put("client", ClientCommand.class);
    all.put("check", CheckCommand.class);
    all.put("status", StatusCommand.class);
    all.put("top", TopCommand.class);
    all.put("retry", RetryCommand.class);
    all.put("reload", ReloadCommand.class);
    all.put("demo", DemoCommand.class);
    all.put("cert", CertCommand.class);
    all.put("template", TemplateCommand.class);
    all.put("service", ServiceCommand.class);
    all.put("route", RouteCommand.class);
    all.put("cluster", ClusterCommand.class);
    all.put("help", CommandLine.HelpCommand.class);
    return Collections.unmodifiableMap(all);
  }

  /** {@code cmd} set up with its subcommands added: picocli applies these to the ones it has. */
  private static CommandLine configured(
      CommandLine cmd, Main main, PrintWriter out, PrintWriter err) {
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setParameterExceptionHandler(Main::onParameterError);
    cmd.setExecutionExceptionHandler(main::onExecutionError);
    cmd.setExecutionStrategy(main::execute);
    return cmd;
  }

  /** The signal that tells long-running commands to stop. */
  StopSignal stopSignal() {
    return stopSignal;
  }

  /**
   * Whether {@code -v} or {@code --log-level} chose the log level (a config file's then does not).
   */
  boolean logLevelFromCommandLine() {
    return logLevel != null || verbosity.length > 0;
  }

  /** Whether errors should show stack traces ({@code -vv} or {@code --log-level trace}). */
  boolean showStackTraces() {
    return verbosity.length >= 2 || logLevel == LogLevels.Level.TRACE;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("error: missing command");
    spec.commandLine().usage(err);
    return EXIT_USAGE;
  }

  private int execute(ParseResult parseResult) {
    LogLevels.apply(verbosity.length, logLevel);
    return new CommandLine.RunLast().execute(parseResult);
  }

  private static int onParameterError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("error: " + e.getMessage());
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return EXIT_USAGE;
  }

  private int onExecutionError(Exception e, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    int code = EXIT_USAGE;
    if (e instanceof ConfigException config) {
      config.problems().forEach(problem -> err.println("error: " + problem));
    } else if (e instanceof CommandFailure failure) {
      err.println("error: " + failure.getMessage());
      code = failure.exitCode();
    } else if (e instanceof TunnelStartException) {
      err.println("error: " + e.getMessage());
    } else {
      err.println("error: " + describe(e));
    }
    if (showStackTraces()) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /** One line for an unexpected exception: its message, or its type when it has none. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.lines().findFirst().orElse(message);
  }
}
