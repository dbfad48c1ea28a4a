package dev.tlstunnel.server;

import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer links of a cluster node: yamux sessions over mutual TLS (both sides show a certificate
 * of the cluster's {@code peer_ca_cert_path}). This node listens on {@code peer_addr} for the links
 * of the others, whose streams each carry one public connection for one of its clients ({@link
 * PeerStreamHandler}); it dials one persistent link to each node it forwards to, made again when it
 * drops.
 */
final class PeerLinks {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  private final ServerContext context;
  private final ClusterConfig config;
  private final EventLoopGroup loops;
  private final SslContext serverTls;
  private final SslContext clientTls;
  private final Map<String, Future<Channel>> links = new ConcurrentHashMap<>();
  private final AtomicInteger openIn = new AtomicInteger();
  private volatile Channel listener;

  PeerLinks(ServerContext context, ClusterConfig config, EventLoopGroup loops) throws IOException {
    this.context = context;
    this.config = config;
    this.loops = loops;
    try {
      serverTls =
          SslContextBuilder.forServer(config.peerCert().toFile(), config.peerKey().toFile())
              .trustManager(config.peerCaCert().toFile())
              .clientAuth(ClientAuth.REQUIRE)
              .protocols("TLSv1.3")
              .build();
      clientTls =
          SslContextBuilder.forClient()
              .keyManager(config.peerCert().toFile(), config.peerKey().toFile())
              .trustManager(config.peerCaCert().toFile())
              // a peer is any holder of a certificate of the cluster's own CA, whatever its name
              .endpointIdentificationAlgorithm(null)
              .protocols("TLSv1.3")
              .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot use peer_cert_path "
              + config.peerCert()
              + " with peer_key_path "
              + config.peerKey()
              + " and peer_ca_cert_path "
              + config.peerCaCert()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Binds {@code peer_addr}. */
  void listen() throws IOException {
    ChannelFuture bind =
        new ServerBootstrap()
            .group(loops)
            .channel(context.transport.serverChannelClass())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    openIn.incrementAndGet();
                    ch.closeFuture().addListener(f -> openIn.decrementAndGet());
                    ch.pipeline().addLast("tls", serverTls.newHandler(ch.alloc()));
                    YamuxMultiplexHandler.addTo(
                        ch.pipeline(),
                        context.yamuxConfig,
                        false,
                        new PeerStreamHandler.Initializer(context));
                    ch.pipeline().addLast("tail", new Tail());
                  }
                })
            .bind(config.peerHost(), config.peerPort())
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new IOException(
          "cannot listen for peer links on " + config.peerAddr() + ": " + bind.cause().getMessage(),
          bind.cause());
    }
    listener = bind.channel();
  }

  /**
   * Opens a stream to {@code node} at {@code peerAddr}, over its link (made when there is none).
   */
  Future<Channel> openStream(String node, String peerAddr, ChannelHandler init) {
    Future<Channel> link = links.computeIfAbsent(node, n -> connect(n, peerAddr));
    Promise<Channel> promise = loops.next().newPromise();
    link.addListener(
        (Future<Channel> f) -> {
          if (!f.isSuccess()) {
            promise.tryFailure(f.cause());
            return;
          }
          YamuxMultiplexHandler.get(f.getNow())
              .openStream(init)
              .addListener(
                  (Future<Channel> s) -> {
                    if (s.isSuccess()) {
                      promise.trySuccess(s.getNow());
                    } else {
                      promise.tryFailure(s.cause());
                    }
                  });
        });
    return promise;
  }

  /** Dials the link to {@code node}; it leaves the map when it fails or closes. */
  private Future<Channel> connect(String node, String peerAddr) {
    io.netty.channel.EventLoop loop = loops.next();
    Promise<Channel> promise = loop.newPromise();
    String host = Addresses.host(peerAddr);
    int port = Addresses.port(peerAddr);
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(context.transport.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("tls", clientTls.newHandler(ch.alloc(), host, port));
                    YamuxMultiplexHandler.addTo(
                        ch.pipeline(), context.yamuxConfig, true, new Refuse());
                    ch.pipeline().addLast("tail", new Tail());
                  }
                })
            .connect(new InetSocketAddress(host, port));
    connect.channel().closeFuture().addListener(c -> links.remove(node, promise));
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            log.info("Peer link to node '{}' at {} up", node, peerAddr);
            promise.trySuccess(connect.channel());
          } else {
            links.remove(node, promise);
            promise.tryFailure(f.cause());
          }
        });
    return promise;
  }

  /** Links this node dialed that are up now. */
  int openOut() {
    int n = 0;
    for (Future<Channel> f : links.values()) {
      if (f.isSuccess() && f.getNow().isActive()) {
        n++;
      }
    }
    return n;
  }

  /** Links the other nodes dialed to this one that are open now. */
  int openIn() {
    return openIn.get();
  }

  void close() {
    Channel l = listener;
    if (l != null) {
      l.close().awaitUninterruptibly();
    }
    links
        .values()
        .forEach(
            f ->
                f.addListener(
                    c -> {
                      if (f.isSuccess()) {
                        f.getNow().close();
                      }
                    }));
  }

  /** A peer does not open streams on the links this node dialed. */
  @ChannelHandler.Sharable
  private static final class Refuse extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
      ctx.close();
    }
  }

  /** Ends a link on any error, logged once. */
  private static final class Tail extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
      log.warn("Peer link {} failed: {}", ctx.channel().remoteAddress(), cause.getMessage());
      ctx.close();
    }
  }
}
