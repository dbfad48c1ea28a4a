package dev.tlstunnel.server;

import dev.tlstunnel.egress.Addresses;
import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.egress.TargetResolver;
import dev.tlstunnel.protocol.EgressRequest;
import dev.tlstunnel.protocol.StreamReply;
import dev.tlstunnel.protocol.StreamRequests;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An egress stream: checks that the client may use egress, resolves the target once, checks every
 * address against the policy, connects exactly a checked address on the stream's event loop,
 * answers {@code ok} with that address and relays. A refusal is answered with the egress failure's
 * wire name and reason, logged once per client and reason kind (rate-limited), and the stream is
 * closed. The bytes behind the request wait in the stream's {@link HeldInput} meanwhile.
 */
final class EgressStream {
  private static final Logger log = LoggerFactory.getLogger(EgressStream.class);

  private final ServerContext context;
  private final String clientId;
  private final EgressRequest request;

  EgressStream(ServerContext context, String clientId, EgressRequest request) {
    this.context = context;
    this.clientId = clientId;
    this.request = request;
  }

  /** Starts on the stream's event loop; the stream's pipeline holds a {@link HeldInput}. */
  void start(Channel stream) {
    EgressPolicy policy;
    try {
      policy = context.egress.policyFor(clientId);
      checkTarget();
    } catch (EgressException e) {
      refuse(stream, e);
      return;
    }
    context.egress.resolver.resolve(
        request.host(),
        request.port(),
        policy,
        result -> stream.eventLoop().execute(() -> onResolved(stream, result)));
  }

  private void checkTarget() throws EgressException {
    String host = request.host();
    if (host == null || host.isBlank() || host.length() > 255) {
      throw new EgressException(EgressFailure.FAILED, "egress request without a valid host");
    }
    if (request.port() < 1 || request.port() > 65535) {
      throw new EgressException(EgressFailure.FAILED, "egress request port out of range");
    }
  }

  private void onResolved(Channel stream, TargetResolver.Result result) {
    if (!stream.isActive()) {
      return;
    }
    if (!result.ok()) {
      refuse(stream, result.failure());
      return;
    }
    context
        .egress
        .dialer
        .dial(stream.eventLoop(), result.addresses())
        .addListener(
            f -> {
              if (f.isSuccess()) {
                onConnected(stream, (Channel) f.getNow());
              } else {
                refuse(stream, (EgressException) f.cause());
              }
            });
  }

  private void onConnected(Channel stream, Channel outbound) {
    if (!stream.isActive()) {
      outbound.close();
      return;
    }
    InetSocketAddress remote = (InetSocketAddress) outbound.remoteAddress();
    log.debug(
        "[client={}] egress to {}:{} connected to {}",
        clientId,
        request.host(),
        request.port(),
        remote);
    stream.writeAndFlush(
        StreamRequests.encode(
            stream.alloc(), StreamReply.connected(Addresses.text(remote.getAddress()))));
    HeldInput.relay(stream, outbound);
  }

  private void refuse(Channel stream, EgressException e) {
    if (!stream.isActive()) {
      return;
    }
    context.logs.warn(
        log,
        "egress-" + clientId + "-" + e.failure(),
        "[client={}] egress to {}:{} refused: {}",
        clientId,
        request.host(),
        request.port(),
        e.getMessage());
    ClientStreamRouter.refuse(stream, e.failure().wireName(), e.getMessage());
  }
}
