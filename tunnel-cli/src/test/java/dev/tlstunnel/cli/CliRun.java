package dev.tlstunnel.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Function;
import picocli.CommandLine;

/** Runs the command line in-process and captures its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

  static CliRun run(String... args) {
    return run(StopSignal.manual(), args);
  }

  static CliRun run(StopSignal stop, String... args) {
    return run(stop, cmd -> cmd, args);
  }

  /** Runs with a command line changed by {@code customize} (e.g. extra test subcommands). */
  static CliRun run(StopSignal stop, Function<CommandLine, CommandLine> customize, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    CommandLine cmd = customize.apply(Main.commandLine(new Main(stop), outWriter, errWriter, args));
    cmd.setOut(outWriter);
    cmd.setErr(errWriter);
    int code = cmd.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }
}
