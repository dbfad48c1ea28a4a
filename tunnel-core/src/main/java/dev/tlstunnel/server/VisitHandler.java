package dev.tlstunnel.server;

import dev.tlstunnel.protocol.StreamHeader;
import dev.tlstunnel.protocol.StreamHeaderCodec;
import dev.tlstunnel.protocol.StreamRefusal;
import dev.tlstunnel.protocol.StreamReply;
import dev.tlstunnel.protocol.StreamRequests;
import dev.tlstunnel.protocol.VisitProof;
import dev.tlstunnel.protocol.VisitRequest;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams of kind {@code visit}: a client reaching another client's private proxy. Checks, in this
 * order, that the target's client is connected, that it has that private proxy, that the visitor
 * may visit it, the proof (in constant time) and that its sequence number is new; then opens a
 * stream to the publisher, answers the visitor and relays. Each refusal has its own reason, is
 * answered on the stream and logged once per visitor, target and reason (rate-limited); failed
 * proofs count towards the visitor's address's auth penalty, during which its visits are refused.
 * No stream reaches the publisher before every check has passed.
 */
final class VisitHandler {
  private static final Logger log = LoggerFactory.getLogger(VisitHandler.class);
  private static final Pattern TARGET =
      Pattern.compile(ProxySpecCheck.NAME_PATTERN + "/" + ProxySpecCheck.NAME_PATTERN);

  private final ServerContext context;
  private final PrivateProxies privateProxies = new PrivateProxies();
  private final SecureRandom random = new SecureRandom();

  VisitHandler(ServerContext context) {
    this.context = context;
  }

  PrivateProxies privateProxies() {
    return privateProxies;
  }

  SecureRandom random() {
    return random;
  }

  /** Serves the visit stream {@code stream} of {@code visitor}; runs on its event loop. */
  void open(ServerSession visitor, Channel stream, VisitRequest request) {
    String target = request.target();
    if (!TARGET.matcher(target).matches()) {
      ClientStreamRouter.refuse(
          stream,
          StreamRefusal.MALFORMED,
          "target must be CLIENT_ID/PROXY (" + ProxySpecCheck.NAME_PATTERN + ")");
      return;
    }
    Checked checked = check(visitor, request);
    if (checked.entry() == null) {
      refuse(visitor, stream, target, checked.reason(), checked.message());
      return;
    }
    connect(visitor, stream, checked.entry(), target);
  }

  /** The private proxy a visit may go to (counted as open), or why it may not. */
  private record Checked(PrivateProxies.Entry entry, StreamRefusal reason, String message) {
    static Checked refused(StreamRefusal reason, String message) {
      return new Checked(null, reason, message);
    }
  }

  private Checked check(ServerSession visitor, VisitRequest request) {
    String target = request.target();
    String clientId = target.substring(0, target.indexOf('/'));
    String proxyName = target.substring(target.indexOf('/') + 1);
    long penalty = context.admission.penaltyLeftMillis(visitor.tunnel());
    if (penalty > 0) {
      return Checked.refused(StreamRefusal.PENALTY, penaltyText(penalty));
    }
    ServerSession publisher = context.sessionsByClientId.get(clientId);
    if (publisher == null) {
      return Checked.refused(
          StreamRefusal.TARGET_OFFLINE, "client '" + clientId + "' is not connected");
    }
    PrivateProxies.Entry entry = privateProxies.find(publisher, proxyName);
    if (entry == null) {
      return Checked.refused(
          StreamRefusal.UNKNOWN_PROXY,
          "client '" + clientId + "' has no private proxy '" + proxyName + "'");
    }
    if (!entry.access.allows(visitor.clientId())) {
      return Checked.refused(
          StreamRefusal.NOT_ALLOWED,
          "client '" + visitor.clientId() + "' is not in allowed_visitors of " + target);
    }
    Checked proof = checkProof(visitor, request, entry);
    if (proof != null) {
      return proof;
    }
    if (!publisher.health().serving(proxyName)) {
      return Checked.refused(
          StreamRefusal.TARGET_UNAVAILABLE,
          "the local service of "
              + target
              + " fails its health check ("
              + publisher.health().reason(proxyName)
              + ")");
    }
    int max = context.limits.maxConnectionsPerProxy();
    if (!entry.tryOpen(max)) {
      return Checked.refused(
          StreamRefusal.LIMIT, "limit max_connections_per_proxy=" + max + " reached for " + target);
    }
    return new Checked(entry, null, null);
  }

  /** Null when the proof holds and its sequence number is new; else the refusal. */
  private Checked checkProof(
      ServerSession visitor, VisitRequest request, PrivateProxies.Entry entry) {
    SessionVisits visits = SessionVisits.of(visitor);
    String target = request.target();
    boolean matches =
        visits != null
            && VisitProof.matches(
                entry.access.visitorKey(),
                visits.nonce(),
                request.seq(),
                target,
                visitor.clientId(),
                request.proof());
    if (!matches) {
      long penalty = context.admission.authFailed(visitor.tunnel());
      return Checked.refused(
          StreamRefusal.WRONG_SECRET,
          "the proof does not match the secret of " + target + penaltyNote(penalty));
    }
    if (!visits.firstUse(request.seq())) {
      long penalty = context.admission.authFailed(visitor.tunnel());
      return Checked.refused(
          StreamRefusal.REPLAYED,
          "sequence number "
              + request.seq()
              + " was used already in this session (a replayed proof)"
              + penaltyNote(penalty));
    }
    return null;
  }

  private void connect(
      ServerSession visitor, Channel stream, PrivateProxies.Entry entry, String target) {
    entry
        .owner
        .openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel out) {
                out.config().setOption(ChannelOption.AUTO_READ, false);
              }
            })
        .addListener(
            (Future<Channel> f) -> {
              if (!f.isSuccess()) {
                entry.closed();
                String why = "cannot open a stream to the target: " + f.cause().getMessage();
                stream
                    .eventLoop()
                    .execute(
                        () ->
                            refuse(visitor, stream, target, StreamRefusal.TARGET_UNAVAILABLE, why));
                return;
              }
              Channel out = f.getNow();
              out.closeFuture().addListener(c -> entry.closed());
              InetSocketAddress peer = (InetSocketAddress) visitor.tunnel().remoteAddress();
              StreamHeader header =
                  new StreamHeader(
                      entry.proxyName,
                      peer.getAddress().getHostAddress(),
                      peer.getPort(),
                      visitor.clientId());
              out.writeAndFlush(StreamHeaderCodec.encode(out.alloc(), header));
              if (stream.eventLoop().inEventLoop()) {
                relay(stream, out);
              } else {
                stream.eventLoop().execute(() -> relay(stream, out));
              }
            });
  }

  private static void relay(Channel stream, Channel out) {
    if (!stream.isActive()) {
      out.close();
      return;
    }
    stream.writeAndFlush(StreamRequests.encode(stream.alloc(), StreamReply.accepted()));
    HeldInput.relay(stream, out);
  }

  private void refuse(
      ServerSession visitor, Channel stream, String target, StreamRefusal reason, String message) {
    context.logs.warn(
        log,
        "visit:" + reason.wireName() + ":" + visitor.clientId() + ">" + target,
        "Visitor '{}' from {} refused for '{}': {} ({})",
        visitor.clientId(),
        visitor.tunnel().remoteAddress(),
        target,
        message,
        reason.wireName());
    ClientStreamRouter.refuse(stream, reason, message);
  }

  private static String penaltyNote(long millis) {
    return millis > 0 ? "; refusing this address for " + millis + " ms" : "";
  }

  private static String penaltyText(long millis) {
    return "this address is refused for another "
        + millis
        + " ms after failed authentications or visitor proofs";
  }
}
