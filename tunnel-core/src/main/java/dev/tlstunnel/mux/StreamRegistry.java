package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of one session: id allocation, the open streams by id, the ids this side closed while
 * the peer may still send, and the frames that open and end a stream (SYN, ACK, FIN, RST on close).
 * Event loop only, except {@link #count()}.
 */
final class StreamRegistry {
  private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);
  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  private final YamuxMultiplexHandler session;
  private final SessionWriter writer;
  private final int maxStreams;
  private final ChannelHandler inboundInitializer;
  private final IntObjectMap<YamuxStreamChannel> streams = new IntObjectHashMap<>();
  // Used as a set of ids; an int-keyed map avoids boxing every id.
  private final IntObjectMap<Boolean> halfClosedByUs = new IntObjectHashMap<>();
  private volatile int count;
  private long nextStreamId;

  StreamRegistry(
      YamuxMultiplexHandler session,
      SessionWriter writer,
      YamuxConfig config,
      ChannelHandler inboundInitializer) {
    this.session = session;
    this.writer = writer;
    this.maxStreams = config.maxStreams();
    this.inboundInitializer = inboundInitializer;
    this.nextStreamId = session.isClient() ? 1 : 2;
  }

  /** Streams open right now; any thread. */
  int count() {
    return count;
  }

  YamuxStreamChannel get(int id) {
    return streams.get(id);
  }

  /**
   * True if no further stream may open: streams closed by this side count until the peer ends them
   * too, or a peer that never does could make the session remember ids without bound.
   */
  boolean atLimit() {
    return streams.size() + halfClosedByUs.size() >= maxStreams;
  }

  /** {@code limit <name>=<value> reached (n open, m closed here awaiting the peer)}. */
  String limitReached() {
    return "limit "
        + session.config().names().maxStreams()
        + "="
        + maxStreams
        + " reached ("
        + streams.size()
        + " open, "
        + halfClosedByUs.size()
        + " closed here awaiting the peer's FIN)";
  }

  /** True if {@code id} is open or was closed by us and not yet by the peer. */
  boolean inUse(int id) {
    return streams.containsKey(id) || halfClosedByUs.containsKey(id);
  }

  boolean isHalfClosedByUs(int id) {
    return halfClosedByUs.containsKey(id);
  }

  void forgetHalfClosed(int id) {
    halfClosedByUs.remove(id);
  }

  /** Why no stream can be opened for lack of room or ids, or null. */
  String capacityRefusal(Channel parent) {
    if (atLimit()) {
      return limitReached() + " on " + parent;
    }
    if (nextStreamId > MAX_STREAM_ID - 1) {
      return "stream ids exhausted on " + parent;
    }
    return null;
  }

  /**
   * Opens a stream with the next id (SYN); the caller checked there is room. The promise completes
   * at once: the SYN goes out with the caller's first flush (so a stream's SYN and first data share
   * one TLS record) or, at the latest, with a flush queued on the event loop. If the SYN cannot be
   * written, the child closes.
   */
  void open(ChannelHandler initializer, Promise<Channel> promise) {
    int id = (int) nextStreamId;
    nextStreamId += 2;
    YamuxStreamChannel child = new YamuxStreamChannel(session, id);
    ChannelFuture syn = writer.writeTracked(YamuxFrame.windowUpdate(YamuxFrame.FLAG_SYN, id, 0));
    add(child, initializer);
    syn.addListener(
        f -> {
          if (!f.isSuccess()) {
            child.close();
          }
        });
    writer.flushSoon();
    promise.trySuccess(child);
  }

  /** Accepts a stream the peer opened (ACK), with the session's inbound stream initializer. */
  void accept(int id) {
    YamuxStreamChannel child = new YamuxStreamChannel(session, id);
    writer.writeAndFlush(YamuxFrame.windowUpdate(YamuxFrame.FLAG_ACK, id, 0));
    add(child, inboundInitializer);
  }

  private void add(YamuxStreamChannel child, ChannelHandler initializer) {
    streams.put(child.streamId(), child);
    count = streams.size();
    child.pipeline().addLast(initializer);
    Channel parent = session.parentChannel();
    parent
        .eventLoop()
        .register(child)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.warn("[yamux {}] cannot register {}", parent, child, f.cause());
                child.unsafe().closeForcibly();
              }
            });
  }

  /**
   * A child closed: forgets it and tells the peer (FIN or RST) as needed. Nothing is sent once the
   * session is closed.
   */
  void closed(
      YamuxStreamChannel child, boolean reset, boolean unread, boolean finSent, boolean finRcvd) {
    if (streams.remove(child.streamId()) == null || session.state().isClosed()) {
      return;
    }
    count = streams.size();
    writer.forget(child);
    if (reset || (finSent && finRcvd)) {
      return;
    }
    if (unread) {
      writer.sendReset(child.streamId());
      return;
    }
    if (!finSent) {
      writer.sendFin(child.streamId());
    }
    if (!finRcvd) {
      halfClosedByUs.put(child.streamId(), Boolean.TRUE);
    }
  }

  /**
   * The session ended: closes every child, but for those whose peer's FIN came before the end (they
   * close once their reader has taken what they hold), and forgets all ids.
   */
  void closeAll() {
    for (YamuxStreamChannel child : new ArrayList<>(streams.values())) {
      child.sessionEnded();
    }
    streams.clear();
    count = 0;
    halfClosedByUs.clear();
  }
}
