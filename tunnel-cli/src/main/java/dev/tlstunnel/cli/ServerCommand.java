package dev.tlstunnel.cli;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
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
 * {@code tls-tunnel server}: runs a tunnel server until SIGINT or SIGTERM; the first signal drains
 * (published ports stop accepting, open connections get {@code shutdown_grace} to finish), a second
 * one stops at once. Started with {@code -c FILE}, SIGHUP or {@code tls-tunnel reload -c FILE}
 * applies a changed file ({@link ReloadCommand}).
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Run a tunnel server until Ctrl+C or SIGTERM.",
      "With -c: SIGHUP or 'tls-tunnel reload -c FILE' applies a changed file.",
      "Without -c: listen on port 7000 with a certificate and auth key created once in",
      "--state-dir, and print the client command line that connects to it."
    })
public final class ServerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

  @ParentCommand private Main main;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The server config file (TOML with a [server] table).")
  private Path config;

  @Mixin private ZeroConfigServer zeroConfig;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = zeroConfig.resolve(config, spec);
    TunnelServer[] running = new TunnelServer[1];
    ConfigReloads.level(main, cfg.reload());
    try (TunnelServer server =
        zeroConfig.start(
            cfg,
            spec,
            b ->
                ConfigReloads.server(
                    b,
                    main,
                    () -> running[0] == null ? cfg.reload() : running[0].config().reload()))) {
      running[0] = server;
      if (config != null) {
        ConfigReloads.onHangup(main, () -> server.reloadConfigFile(false));
      }
      StopSignal stop = main.stopSignal();
      stop.future().join();
      if (!stop.now().isDone()) {
        log.info("Signal again to stop at once");
        CompletableFuture.anyOf(server.shutdownGracefully(cfg.shutdownGrace()), stop.now()).join();
      }
      if (stop.now().isDone()) {
        log.info("Stopping at once");
      }
    }
    return ExitCodes.OK;
  }
}
