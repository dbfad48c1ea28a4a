package dev.tlstunnel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel top}: a live view of a running server's or client's admin API (clients,
 * proxies, forwarders and visitors with state, connections, rates, totals, uptime and last error),
 * refreshed from its event stream; or, with {@code --once}, one reading printed as a table or as
 * JSON.
 */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Watch a running server or client live, from its admin API.",
      "Shows clients, proxies, forwarders and visitors: state, connections, rates.",
      "Keys: q quits, s sorts, r reverses, / filters (Enter keeps, Esc clears)."
    })
public final class TopCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Mixin private AdminEndpoint endpoint;

  @Option(names = "--once", description = "Print one reading and exit instead of watching.")
  private boolean once;

  @Option(names = "--json", description = "With --once: print the rows as JSON.")
  private boolean json;

  @Option(
      names = "--sort",
      paramLabel = "KEY",
      defaultValue = "name",
      description = "The first sort key: name, state, active, total, in or out (default: name).")
  private String sort;

  @Option(
      names = "--filter",
      paramLabel = "TEXT",
      defaultValue = "",
      description = "Show only rows whose kind, name, owner or state contains TEXT.")
  private String filter;

  @Override
  public Integer call() throws Exception {
    if (json && !once) {
      throw new ParameterException(spec.commandLine(), "--json needs --once");
    }
    TopView view = new TopView();
    view.sort = sortKey();
    view.filter = filter;
    URI base = endpoint.base(spec);
    TopData data = new TopData(base, endpoint.authorization(spec));
    if (!once) {
      return new TopScreen(data, view).run();
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TopData.Snapshot snapshot;
    try {
      snapshot = data.read();
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return Main.EXIT_USAGE;
    }
    if (json) {
      out.println(view.json(snapshot, base.toString(), Instant.now()));
    } else {
      for (String line : view.lines(snapshot, base.toString(), Instant.now(), 400, null)) {
        out.println(line.stripTrailing());
      }
    }
    out.flush();
    return 0;
  }

  private TopView.Sort sortKey() {
    try {
      return TopView.Sort.valueOf(sort.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--sort: unknown key '" + sort + "'; known: name, state, active, total, in, out");
    }
  }
}
