package dev.tlstunnel.health;

import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs probes of one local service on one event loop: a connect ({@code tcp}, plus the SSH
 * identification string for an SSH service) or an HTTP request ({@code http}, {@code https} over
 * TLS without verifying the service's certificate), each ending after the check's timeout at most.
 */
final class Probe {
  private static final int MAX_BANNER_LINE = 255;

  private final HealthCheck check;
  private final String host;
  private final int port;
  private final boolean sshBanner;
  private final EventLoop loop;
  private final Class<? extends SocketChannel> channelClass;
  private final SslContext tls;
  private final HttpProbeSpec http;

  Probe(
      HealthCheck check,
      String host,
      int port,
      boolean sshBanner,
      EventLoop loop,
      Class<? extends SocketChannel> channelClass,
      SslContext tls) {
    this.check = check;
    this.host = host;
    this.port = port;
    this.sshBanner = sshBanner;
    this.loop = loop;
    this.channelClass = channelClass;
    this.tls = tls;
    this.http =
        check.type() == HealthCheck.Type.TCP
            ? null
            : HttpProbeSpec.of(check, Addresses.hostPort(host, port));
  }

  /**
   * What a probe reaches, e.g. {@code tcp 127.0.0.1:8080} or {@code http 127.0.0.1:8080/health}.
   */
  String describe() {
    String hostPort = Addresses.hostPort(host, port);
    return check.type().configName() + " " + hostPort + (http == null ? "" : http.path());
  }

  /** Starts one probe; {@code done} hears its result on the event loop, exactly once. */
  void run(Consumer<ProbeResult> done) {
    ProbeRun run = new ProbeRun(done);
    long timeoutMillis = Math.max(1, check.timeout().toMillis());
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeoutMillis, 1 << 30))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    pipeline(ch.pipeline(), run);
                  }
                })
            .connect(host, port);
    run.started(
        connect.channel(),
        loop.schedule(
            () -> run.finish(ProbeResult.failed("timed out after " + timeoutMillis + " ms")),
            timeoutMillis,
            TimeUnit.MILLISECONDS));
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            run.failed("cannot connect to " + Addresses.hostPort(host, port), f.cause());
          } else if (http == null && !sshBanner) {
            run.finish(ProbeResult.PASSED);
          }
        });
  }

  private void pipeline(ChannelPipeline p, ProbeRun run) {
    if (http == null) {
      if (sshBanner) {
        p.addLast(new LineBasedFrameDecoder(MAX_BANNER_LINE), new BannerProbeHandler(run));
      }
      return;
    }
    if (tls != null) {
      p.addLast(tls.newHandler(p.channel().alloc(), host, port));
    }
    p.addLast(new HttpClientCodec(), new HttpProbeHandler(http, run));
  }
}
