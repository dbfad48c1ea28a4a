package dev.tlstunnel.health;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.charset.StandardCharsets;

/**
 * A tcp check of an SSH service: passes when the service's first line (after a line decoder) is its
 * identification string, {@code SSH-2.0-...}, as RFC 4253 requires of every SSH server.
 */
final class BannerProbeHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private final ProbeRun run;

  BannerProbeHandler(ProbeRun run) {
    this.run = run;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
    // RFC 4253 allows other lines before the identification string: those are read past.
    if (line.toString(StandardCharsets.US_ASCII).startsWith("SSH-")) {
      run.finish(ProbeResult.PASSED);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    run.finish(ProbeResult.failed("connection closed before an SSH identification string"));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    run.failed("no SSH identification string", cause);
  }
}
