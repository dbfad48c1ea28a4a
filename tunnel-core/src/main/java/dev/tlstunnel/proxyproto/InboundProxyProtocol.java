package dev.tlstunnel.proxyproto;

import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.config.EdgeConfig.ProxyProtocolMode;
import dev.tlstunnel.egress.Cidr;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the server does with PROXY protocol headers on incoming connections ({@code [server]
 * proxy_protocol}, {@code proxy_protocol_trusted}), installed first on each accepted connection of
 * the tunnel port and of every published port. The caller's setup runs once the connection may
 * proceed, with its {@link Endpoints}; handlers it then adds see exactly the bytes after the
 * header, delivered when they ask to read. Refused connections are closed and reported.
 */
public final class InboundProxyProtocol {
  /** Hears each refused connection, before it closes (for a rate-limited log line). */
  public interface Refusals {
    void refused(Channel ch, String why);
  }

  /** The name of the first handler, while one is installed. */
  static final String SNIFFER = "proxy-protocol-sniffer";

  static final String DECODER = "proxy-protocol-decoder";
  static final String SINK = "proxy-protocol";

  private final ProxyProtocolMode mode;
  private final List<Cidr> trusted;
  private final Duration timeout;
  private final Refusals refusals;

  private InboundProxyProtocol(
      ProxyProtocolMode mode, List<Cidr> trusted, Duration timeout, Refusals refusals) {
    this.mode = mode;
    this.trusted = trusted;
    this.timeout = timeout;
    this.refusals = refusals;
  }

  /**
   * The policy of a validated edge configuration.
   *
   * @param timeout how long a trusted source may take to send its header
   */
  public static InboundProxyProtocol of(EdgeConfig edge, Duration timeout, Refusals refusals) {
    return new InboundProxyProtocol(
        edge.proxyProtocol(),
        edge.proxyProtocolTrusted().stream().map(Cidr::parse).toList(),
        timeout,
        refusals);
  }

  /** The mode in force. */
  public ProxyProtocolMode mode() {
    return mode;
  }

  /**
   * Prepares {@code ch}, which must not have read yet: {@code ready} runs (on its event loop) with
   * the connection's endpoints once it may proceed, at once when no header is to be read from it; a
   * connection that is refused is reported and closed, and {@code ready} never runs.
   */
  public void install(Channel ch, Consumer<Endpoints> ready) {
    Endpoints socket = socketEndpoints(ch);
    switch (mode) {
      case IGNORE -> ready.accept(socket);
      case REJECT -> {
        ch.pipeline().addFirst(SNIFFER, new HeaderRejecter(refusals));
        ready.accept(socket);
      }
      case USE, REQUIRE -> {
        boolean required = mode == ProxyProtocolMode.REQUIRE;
        if (trusts(socket.source().getAddress())) {
          HeaderSink sink = new HeaderSink(required, timeout, socket, ready, refusals);
          ch.pipeline().addFirst(SINK, sink);
          ch.pipeline().addFirst(SNIFFER, new HeaderSniffer(sink));
        } else if (required) {
          refusals.refused(
              ch,
              "source "
                  + socket.source().getAddress().getHostAddress()
                  + " is not in server.proxy_protocol_trusted (proxy_protocol = \"require\")");
          ch.close();
        } else {
          ready.accept(socket);
        }
      }
    }
  }

  boolean trusts(InetAddress address) {
    if (address == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static Endpoints socketEndpoints(Channel ch) {
    InetSocketAddress remote =
        ch.remoteAddress() instanceof InetSocketAddress r
            ? r
            : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    InetSocketAddress local =
        ch.localAddress() instanceof InetSocketAddress l
            ? l
            : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    return new Endpoints(remote, local, false);
  }
}
