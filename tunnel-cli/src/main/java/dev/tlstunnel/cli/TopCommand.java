package dev.tlstunnel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
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
      "Watch a running server or client live, from its admin API: state, connections, rates and"
          + " totals of its clients, proxies, forwarders and visitors.",
      "Keys: q quits, s changes the sort, r reverses it, / filters (Enter keeps, Esc clears)."
    })
public final class TopCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Mixin private AdminEndpoint endpoint;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:TLS_TUNNEL_ADMIN_TOKEN}",
      description =
          "The admin API's admin_token (default: the TLS_TUNNEL_ADMIN_TOKEN environment variable).")
  private String token;

  @Option(
      names = "--user",
      paramLabel = "USER:PASSWORD",
      description = "Basic credentials (admin_user and admin_password) instead of a token.")
  private String user;

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
    TopData data = new TopData(base, authorization());
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

  private String authorization() {
    if (user != null) {
      if (!user.contains(":")) {
        throw new ParameterException(spec.commandLine(), "--user: give USER:PASSWORD");
      }
      return "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    }
    return token == null || token.isBlank() ? null : "Bearer " + token.strip();
  }
}
