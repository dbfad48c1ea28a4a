package dev.tlstunnel.cli;

import dev.tlstunnel.cluster.etcd.ClusterStatus;
import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel cluster status}: what the cluster's etcd holds, read with a server's config.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Look at a cluster of servers ([server.cluster]).",
    subcommands = {ClusterCommand.Status.class})
public final class ClusterCommand {
  /** {@code tls-tunnel cluster status -c server.toml}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Show the servers, clients and proxies of a cluster, as etcd has them now.",
        "Each server with the time its lease has left, each client with the server",
        "holding its session, each proxy with its client, server and publish address,",
        "and every server's listener for every published proxy: bound, retrying (with",
        "the attempt and why the last one failed), failed, or none."
      })
  public static final class Status implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "A server config file with [server.cluster].")
    private Path config;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ClusterConfig cluster;
      try {
        cluster = ConfigLoader.loadServer(config).cluster();
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return Main.EXIT_USAGE;
      }
      if (cluster == null) {
        err.println("error: " + config + " has no [server.cluster]");
        err.flush();
        return Main.EXIT_USAGE;
      }
      ClusterStatus.Snapshot snapshot;
      try {
        snapshot = ClusterStatus.read(cluster);
      } catch (IOException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return 1;
      }
      print(snapshot, out);
      out.flush();
      return 0;
    }
  }

  static void print(ClusterStatus.Snapshot s, PrintWriter out) {
    out.printf("Servers (%d):%n", s.servers().size());
    out.printf("  %-16s %-24s %-18s %s%n", "NODE", "PEER_ADDR", "LEASE", "TTL LEFT");
    for (ClusterStatus.Server m : s.servers()) {
      out.printf(
          "  %-16s %-24s %-18s %ds of %ds%n",
          m.node(), m.peerAddr(), m.leaseId(), m.remainingSeconds(), m.ttlSeconds());
    }
    Map<String, TreeMap<String, Integer>> clients = new TreeMap<>();
    for (ClusterStatus.Held h : s.proxies()) {
      clients
          .computeIfAbsent(h.client() == null ? "(anonymous)" : h.client(), c -> new TreeMap<>())
          .merge(h.node(), 1, Integer::sum);
    }
    out.printf("Clients (%d):%n", clients.size());
    clients.forEach(
        (client, nodes) ->
            nodes.forEach(
                (node, n) ->
                    out.printf(
                        "  %-24s on %-16s %d %s%n",
                        client, node, n, n == 1 ? "proxy" : "proxies")));
    out.printf("Proxies (%d):%n", s.proxies().size());
    out.printf("  %-24s %-24s %-16s %s%n", "PROXY", "CLIENT", "SERVER", "PUBLISH");
    for (ClusterStatus.Held h : s.proxies()) {
      out.printf(
          "  %-24s %-24s %-16s %s%n",
          h.proxy(),
          h.client() == null ? "(anonymous)" : h.client(),
          h.node(),
          h.publish() == null ? "-" : h.publish());
    }
    listeners(s, out);
  }

  /** Every server's listener for every published proxy; "none" where a server reported none. */
  private static void listeners(ClusterStatus.Snapshot s, PrintWriter out) {
    Map<String, ClusterStatus.Listener> byKey = new TreeMap<>();
    s.listeners().forEach(l -> byKey.put(l.proxy() + "\n" + l.node(), l));
    java.util.List<String> rows = new java.util.ArrayList<>();
    for (ClusterStatus.Held h : s.proxies()) {
      if (h.publish() == null) {
        continue;
      }
      for (ClusterStatus.Server m : s.servers()) {
        ClusterStatus.Listener l = byKey.get(h.proxy() + "\n" + m.node());
        rows.add(
            l == null
                ? String.format("  %-24s %-16s %-9s %s", h.proxy(), m.node(), "none", "-")
                : String.format(
                    "  %-24s %-16s %-9s %s%s",
                    h.proxy(),
                    m.node(),
                    l.state(),
                    l.address(),
                    l.message() == null
                        ? ""
                        : " (attempt " + l.attempt() + ": " + l.message() + ")"));
      }
    }
    out.printf("Listeners (%d):%n", rows.size());
    out.printf("  %-24s %-16s %-9s %s%n", "PROXY", "SERVER", "STATE", "ADDRESS");
    rows.forEach(out::println);
  }
}
