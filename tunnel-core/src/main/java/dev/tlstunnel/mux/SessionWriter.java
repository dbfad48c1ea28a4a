package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;

/**
 * What a session writes to the tunnel channel, and the batching around the parent's read loop.
 * Frames written while the parent reads are flushed once at its read-complete; children's
 * read-complete events wait for it too. Children blocked on the parent's writability resume, in
 * order, when it returns. Event loop only.
 */
final class SessionWriter {
  private final ArrayDeque<YamuxStreamChannel> readCompletePending = new ArrayDeque<>();
  private final ArrayDeque<YamuxStreamChannel> writeBlocked = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean inReadLoop;
  private boolean flushPending;
  private boolean flushSoonQueued;
  private final Runnable flushSoonTask =
      () -> {
        flushSoonQueued = false;
        ctx.flush();
      };

  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  void write(YamuxFrame frame) {
    ctx.write(frame, ctx.voidPromise());
  }

  /** Writes a frame whose outcome matters (a SYN); the future completes once it was written. */
  ChannelFuture writeTracked(YamuxFrame frame) {
    return ctx.write(frame);
  }

  /** Flushes now, or at the end of the parent's read loop if it is reading. */
  void flush() {
    if (inReadLoop) {
      flushPending = true;
    } else {
      ctx.flush();
    }
  }

  /**
   * Flushes once the current event-loop task is done (a flush in between makes it a no-op), so
   * frames written by the rest of the task go out together.
   */
  void flushSoon() {
    if (inReadLoop) {
      flushPending = true;
      return;
    }
    if (!flushSoonQueued) {
      flushSoonQueued = true;
      ctx.executor().execute(flushSoonTask);
    }
  }

  void writeAndFlush(YamuxFrame frame) {
    write(frame);
    flush();
  }

  void sendReset(int id) {
    writeAndFlush(YamuxFrame.windowUpdate(YamuxFrame.FLAG_RST, id, 0));
  }

  void sendFin(int id) {
    writeAndFlush(YamuxFrame.windowUpdate(YamuxFrame.FLAG_FIN, id, 0));
  }

  // ---- the parent's read loop ----

  void readStarted() {
    inReadLoop = true;
  }

  boolean inReadLoop() {
    return inReadLoop;
  }

  /** Defers {@code child}'s read-complete to the end of the parent's read loop. */
  void scheduleReadComplete(YamuxStreamChannel child) {
    if (child.markReadCompleteQueued()) {
      readCompletePending.add(child);
    }
  }

  /** The parent's read loop ended: children's read-complete events, then one flush. */
  void readCompleted() {
    YamuxStreamChannel child;
    while ((child = readCompletePending.poll()) != null) {
      child.clearReadCompleteQueued();
      child.readComplete();
    }
    inReadLoop = false;
    if (flushPending) {
      flushPending = false;
      ctx.flush();
    }
  }

  // ---- parent writability ----

  /**
   * Replies to the peer's frames (ping answers, resets, window updates) are written whatever the
   * tunnel's writability, unlike stream data. A peer that keeps sending while it reads nothing
   * would grow that backlog without end; beyond this many bytes waiting for the socket, on top of
   * what writability already allows, the session is closed.
   */
  static final long MAX_REPLY_BACKLOG = 4L * 1024 * 1024;

  boolean replyBacklogExceeded() {
    Channel parent = ctx.channel();
    return !parent.isWritable() && parent.bytesBeforeWritable() > MAX_REPLY_BACKLOG;
  }

  long backlogBytes() {
    return ctx.channel().bytesBeforeWritable();
  }

  boolean parentWritable() {
    return ctx.channel().isWritable();
  }

  void waitForParentWritable(YamuxStreamChannel child) {
    if (child.markWriteBlocked()) {
      writeBlocked.add(child);
    }
  }

  /** Resumes blocked children while the parent stays writable. */
  void writabilityChanged() {
    YamuxStreamChannel child;
    while (parentWritable() && (child = writeBlocked.poll()) != null) {
      child.clearWriteBlocked();
      child.resumeWrite();
    }
  }

  /** A closed child no longer waits for anything. */
  void forget(YamuxStreamChannel child) {
    if (child.clearWriteBlocked()) {
      writeBlocked.remove(child);
    }
  }

  /**
   * The session ended: nothing waits for writability any more. Read-completes due at the end of the
   * current read loop stay: a stream whose peer's FIN came in this read is kept for its reader (see
   * {@link YamuxStreamChannel#sessionEnded}) and gets its end of input from that read-complete.
   */
  void clear() {
    writeBlocked.clear();
  }
}
