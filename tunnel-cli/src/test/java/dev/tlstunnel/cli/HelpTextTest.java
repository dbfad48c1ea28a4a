package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code --help} text: summaries are whole sentences and no description line is wrapped. */
@Timeout(20)
class HelpTextTest {
  private static final int WIDTH = new CommandLine.Model.UsageMessageSpec().width();

  @Test
  void topLevelHelpShowsEveryCommandSummaryAsWholeSentences() {
    CliRun run = CliRun.run("--help");
    assertThat(run.code()).isZero();
    String commands = run.out().substring(run.out().indexOf("Commands:\n") + 10);
    List<String> summaries = new ArrayList<>();
    for (String line : commands.lines().toList()) {
      if (line.matches("^  \\S.*")) {
        summaries.add(line.strip().replaceFirst("^\\S+\\s+", ""));
      } else {
        int last = summaries.size() - 1;
        summaries.set(last, summaries.get(last) + " " + line.strip());
      }
    }
    assertThat(summaries)
        .hasSizeGreaterThanOrEqualTo(9)
        .allSatisfy(s -> assertThat(s).endsWith("."));
  }

  @Test
  void noDescriptionLineOfAnyCommandIsWrapped() {
    List<CommandLine> all = new ArrayList<>();
    collect(Main.commandLine(new Main(StopSignal.manual()), writer(), writer()), all);
    for (CommandLine cmd : all) {
      String[] description = cmd.getCommandSpec().usageMessage().description();
      for (String line : description) {
        assertThat(line.length())
            .as("%s: '%s'", cmd.getCommandSpec().qualifiedName(), line)
            .isLessThanOrEqualTo(WIDTH);
      }
      if (description.length > 0) {
        assertThat(description[0]).as(cmd.getCommandSpec().qualifiedName()).endsWith(".");
      }
    }
  }

  @Test
  void clientHelpKeepsTheExposeExampleOnOneLine() {
    CliRun run = CliRun.run("client", "--help");
    assertThat(run.out()).contains("--expose 3000:8080");
  }

  private static void collect(CommandLine cmd, List<CommandLine> all) {
    all.add(cmd);
    cmd.getSubcommands().values().stream()
        .filter(sub -> sub.getParent() == cmd)
        .forEach(sub -> collect(sub, all));
  }

  private static PrintWriter writer() {
    return new PrintWriter(new StringWriter());
  }
}
