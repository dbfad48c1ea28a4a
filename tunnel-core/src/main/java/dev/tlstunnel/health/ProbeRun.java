package dev.tlstunnel.health;

import dev.tlstunnel.common.Errors;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * One probe in flight: ends exactly once, with the first of its handler's verdict, a failed
 * connect, the connection closing early or the timeout, and closes its connection. Confined to the
 * event loop the probe runs on.
 */
final class ProbeRun {
  private final Consumer<ProbeResult> done;
  private ScheduledFuture<?> timer;
  private Channel channel;
  private boolean finished;

  ProbeRun(Consumer<ProbeResult> done) {
    this.done = done;
  }

  void started(Channel ch, ScheduledFuture<?> timeout) {
    this.channel = ch;
    this.timer = timeout;
    if (finished) {
      timeout.cancel(false);
      ch.close();
    }
  }

  /** The probe failed because {@code cause} was thrown; {@code doing} says at which step. */
  void failed(String doing, Throwable cause) {
    finish(ProbeResult.failed(doing + ": " + Errors.rootMessage(cause)));
  }

  void finish(ProbeResult result) {
    if (finished) {
      return;
    }
    finished = true;
    if (timer != null) {
      timer.cancel(false);
    }
    if (channel != null) {
      channel.close();
    }
    done.accept(result);
  }

  boolean finished() {
    return finished;
  }
}
