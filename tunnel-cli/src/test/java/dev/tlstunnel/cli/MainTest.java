package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class MainTest {

  @AfterEach
  void resetLogLevels() {
    LogLevels.apply(0, null);
  }

  @Test
  @Timeout(20)
  void rootHelpListsEveryCommand() {
    CliRun run = CliRun.run("--help");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .startsWith("Usage: tls-tunnel")
        .contains("server", "client", "check", "status", "demo", "--log-level", "-v")
        .contains("cert", "template", "service");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"server", "client", "check", "status", "demo", "cert", "template", "service"})
  @Timeout(20)
  void everyCommandHasHelp(String command) {
    CliRun run = CliRun.run(command, "--help");
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Usage: tls-tunnel " + command).contains("--help");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void everySubcommandIsListedUnderItsOwnName() {
    Main.SUBCOMMANDS.forEach(
        (name, type) -> assertThat(type.getAnnotation(Command.class).name()).isEqualTo(name));
    assertThat(Main.commandLine(new Main(StopSignal.manual()), sink(), sink()).getSubcommands())
        .containsOnlyKeys(Main.SUBCOMMANDS.keySet());
  }

  @Test
  void aCommandLineThatNamesACommandGetsOnlyThatOne() {
    assertThat(subcommandsFor("server", "-c", "server.toml")).containsExactly("server");
    assertThat(subcommandsFor("-vv", "--log-level", "debug", "check", "-c", "x.toml"))
        .containsExactly("check");
    assertThat(subcommandsFor("--log-level=warn", "template", "client"))
        .containsExactly("template");
    assertThat(subcommandsFor("--version")).isEmpty();
    // Help, an unknown word, another option first, or no command: every command, as before.
    assertThat(subcommandsFor("--help")).containsExactlyElementsOf(Main.SUBCOMMANDS.keySet());
    assertThat(subcommandsFor("help", "server"))
        .containsExactlyElementsOf(Main.SUBCOMMANDS.keySet());
    assertThat(subcommandsFor("sever")).containsExactlyElementsOf(Main.SUBCOMMANDS.keySet());
    assertThat(subcommandsFor("--help", "server"))
        .containsExactlyElementsOf(Main.SUBCOMMANDS.keySet());
    assertThat(subcommandsFor("--log-level", "server", "client")).containsExactly("client");
    assertThat(subcommandsFor()).containsExactlyElementsOf(Main.SUBCOMMANDS.keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"server", "client", "template", "service", "cluster", "route"})
  @Timeout(20)
  void aCommandAloneParsesAsInTheFullCommandLine(String command) {
    StringWriter full = new StringWriter();
    CommandLine all =
        Main.commandLine(new Main(StopSignal.manual()), new PrintWriter(full, true), sink());
    assertThat(all.execute("-v", command, "--help")).isZero();
    CliRun alone = CliRun.run("-v", command, "--help");
    assertThat(alone.code()).isZero();
    assertThat(alone.out()).isEqualTo(full.toString()).startsWith("Usage: tls-tunnel " + command);
    // Case-insensitive enum values reach the command added alone too.
    assertThat(CliRun.run("template", "SERVER").code()).isZero();
  }

  @Test
  @Timeout(20)
  void aMistypedCommandIsStillNamed() {
    CliRun run = CliRun.run("sever");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "error: Unmatched argument at index 0: 'sever'\nRun 'tls-tunnel --help' for usage.\n");
  }

  private static PrintWriter sink() {
    return new PrintWriter(new StringWriter(), true);
  }

  private static List<String> subcommandsFor(String... args) {
    return List.copyOf(
        Main.commandLine(new Main(StopSignal.manual()), sink(), sink(), args)
            .getSubcommands()
            .keySet());
  }

  @Test
  @Timeout(20)
  void helpCommandShowsCommandHelp() {
    CliRun run = CliRun.run("help", "check");
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Usage: tls-tunnel check");
  }

  @Test
  @Timeout(20)
  void versionNamesSoftwareAndJava() {
    CliRun run = CliRun.run("--version");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .startsWith("tls-tunnel " + VersionProvider.softwareVersion())
        .contains("Java " + System.getProperty("java.version"))
        .containsPattern("(?m)^TLS provider: (BoringSSL|JDK \\(.+\\))$");
    assertThat(VersionProvider.softwareVersion()).isNotEqualTo("unknown");
  }

  @Test
  @Timeout(20)
  void demoOptionsParse() {
    CommandLine cmd = Main.commandLine(new Main(StopSignal.manual()), sink(), sink());
    CommandLine.ParseResult parsed =
        cmd.parseArgs("-v", "demo", "--once", "--publish-port", "8080", "--server-port=7000");
    CommandLine.ParseResult demo = parsed.subcommand();
    assertThat(demo.commandSpec().name()).isEqualTo("demo");
    assertThat(demo.hasMatchedOption("--once")).isTrue();
    assertThat(demo.matchedOptionValue("--publish-port", 0)).isEqualTo(8080);
    assertThat(demo.matchedOptionValue("--server-port", 0)).isEqualTo(7000);
  }

  @Test
  @Timeout(20)
  void missingCommandIsAUsageError() {
    CliRun run = CliRun.run();
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: missing command").contains("Usage: tls-tunnel");
  }

  @Test
  @Timeout(20)
  void missingConfigOptionIsAUsageError() {
    CliRun run = CliRun.run("check");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "error: Missing required option: '--config=FILE'",
            "Run 'tls-tunnel check --help' for usage.");
  }

  @Test
  @Timeout(20)
  void unknownOptionAndBadLevelAreUsageErrors() {
    assertThat(CliRun.run("check", "--bogus", "-c", "x.toml").err())
        .startsWith("error: Unknown option: '--bogus'");
    CliRun run = CliRun.run("--log-level", "loud", "check", "-c", "x.toml");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: Invalid value for option '--log-level'");
  }

  @Test
  @Timeout(20)
  void missingConfigFileIsOneErrorLine() {
    CliRun run = CliRun.run("client", "-c", "/nonexistent/client.toml");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: /nonexistent/client.toml: no such file\n");
  }

  @Test
  @Timeout(20)
  void configProblemsPrintOneLineEach() {
    CliRun run =
        CliRun.run(
            StopSignal.manual(),
            withFailing(
                new ConfigException(
                    List.of(
                        new ConfigException.Problem(
                            "proxies[0].publish_port", "70000 is not a port"),
                        new ConfigException.Problem("client.server_addr", "missing")))),
            "fail");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "error: proxies[0].publish_port: 70000 is not a port",
            "error: client.server_addr: missing");
    assertThat(run.out()).isEmpty();
  }

  @Test
  @Timeout(20)
  void startFailureIsOneLine() {
    Exception e =
        new TunnelStartException(
            Failure.of(
                FailureKind.PORT_IN_USE,
                "Port 7000 is already in use by another process",
                new IOException("bind")));
    CliRun run = CliRun.run(StopSignal.manual(), withFailing(e), "fail");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: Port 7000 is already in use by another process\n");
  }

  @Test
  @Timeout(20)
  void unexpectedErrorIsOneLineWithoutStackTrace() {
    CliRun run =
        CliRun.run(StopSignal.manual(), withFailing(new IllegalStateException("boom")), "fail");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: boom\n");
  }

  @Test
  @Timeout(20)
  void doubleVerboseShowsStackTraceAndTraceLevel() {
    CliRun run =
        CliRun.run(
            StopSignal.manual(), withFailing(new IllegalStateException("boom")), "fail", "-vv");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("error: boom\njava.lang.IllegalStateException: boom")
        .contains("\tat ");
    assertThat(ourLevel()).isEqualTo(Level.TRACE);
  }

  @Test
  @Timeout(20)
  void verbosityAndLogLevelSetOurLogger() {
    CliRun.run(StopSignal.manual(), withFailing(new IllegalStateException("x")), "-v", "fail");
    assertThat(ourLevel()).isEqualTo(Level.DEBUG);
    CliRun.run(
        StopSignal.manual(),
        withFailing(new IllegalStateException("x")),
        "--log-level=warn",
        "fail");
    assertThat(ourLevel()).isEqualTo(Level.WARN);
    CliRun.run(StopSignal.manual(), withFailing(new IllegalStateException("x")), "fail");
    assertThat(ourLevel()).isEqualTo(Level.INFO);
    assertThat(context().getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  @Timeout(20)
  void logComponentIsThePackageUnderOurs() {
    assertThat(LogComponentConverter.component("dev.tlstunnel.server.ProxyBinder"))
        .isEqualTo("server");
    assertThat(LogComponentConverter.component("dev.tlstunnel.cli.DemoCommand")).isEqualTo("cli");
    assertThat(LogComponentConverter.component("io.netty.handler.ssl.SslHandler"))
        .isEqualTo("SslHandler");
  }

  private static java.util.function.Function<CommandLine, CommandLine> withFailing(Exception e) {
    return cmd -> cmd.addSubcommand("fail", new Failing(e));
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static Level ourLevel() {
    return context().getLogger(LogLevels.OUR_LOGGER).getLevel();
  }

  @Command(name = "fail")
  static final class Failing implements Callable<Integer> {
    private final Exception failure;

    Failing(Exception failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      throw failure;
    }
  }
}
