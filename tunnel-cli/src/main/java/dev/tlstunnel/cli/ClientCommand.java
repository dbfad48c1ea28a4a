package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel client}: runs a tunnel client, reconnecting when the tunnel drops, until it
 * ends (exit code from {@link ExitCodes#of(ClientExit)}) or until SIGINT/SIGTERM (exit 0): the
 * first signal lets open streams finish within {@code shutdown_grace}, a second one stops at once.
 * Started with {@code -c FILE}, SIGHUP or {@code tls-tunnel reload -c FILE} applies a changed file
 * ({@link ReloadCommand}).
 */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Run a tunnel client: connect to the server and publish the configured proxies.",
      "With -c: SIGHUP or 'tls-tunnel reload -c FILE' applies a changed file.",
      "Without -c: --server HOST:PORT --key KEY --server-fingerprint F",
      "            --expose 3000:8080 ...",
      "Exit codes: 0 stopped, 1 usage or config error, 2 authentication failed,",
      "3 bind failure with exit_on_bind_failure, 4 connection failed (reconnect off)."
    })
public final class ClientCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ClientCommand.class);

  @ParentCommand private Main main;
  @Spec private CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The client config file (TOML with a [client] table and [[proxies]]).")
  private Path config;

  @Mixin private QuickClientOptions quick;
  @Mixin private AdminPortRecord adminRecord;

  @Override
  public Integer call() throws Exception {
    ClientConfig cfg = quick.resolve(config, spec);
    TunnelClient[] running = new TunnelClient[1];
    TunnelClient.Builder builder =
        ConfigReloads.client(
            TunnelClient.builder(cfg),
            main,
            config,
            adminRecord.stateDir(),
            () -> running[0] == null ? cfg.reload() : running[0].config().reload());
    ConfigReloads.level(main, cfg.reload());
    try (TunnelClient client = builder.start()) {
      running[0] = client;
      if (config != null) {
        ConfigReloads.onHangup(main, () -> client.reloadConfigFile(false));
      }
      adminRecord.record(cfg, config, client);
      CompletableFuture<ClientExit> exit = client.exit();
      StopSignal stop = main.stopSignal();
      CompletableFuture.anyOf(exit, stop.future()).join();
      if (!exit.isDone()) {
        if (!stop.now().isDone()) {
          log.info("Signal again to stop at once");
          CompletableFuture.anyOf(client.shutdownGracefully(cfg.shutdownGrace()), stop.now())
              .join();
        }
        return ExitCodes.OK;
      }
      ClientExit ended = exit.join();
      if (!ended.closedOnRequest()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + NewcomerErrors.explain(ended.failure()));
        if (main.showStackTraces() && ended.failure().cause() != null) {
          ended.failure().cause().printStackTrace(err);
        }
        err.flush();
      }
      return ExitCodes.of(ended);
    }
  }
}
