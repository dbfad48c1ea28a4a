/**
 * tls-tunnel's embeddable library: {@link dev.tlstunnel.server.TunnelServer} and {@link
 * dev.tlstunnel.client.TunnelClient} with their builders, listeners and events, the validated
 * configuration ({@code dev.tlstunnel.config}) and the shared vocabulary ({@code dev.tlstunnel}).
 * The protocol, yamux, relay and transport packages are internal and not exported.
 */
module dev.tlstunnel.core {
  exports dev.tlstunnel;
  exports dev.tlstunnel.client;
  exports dev.tlstunnel.config;
  exports dev.tlstunnel.server;

  // The API takes Netty's EventLoopGroup and SslContext and speaks of its Ticker.
  requires transitive io.netty.common;
  requires transitive io.netty.transport;
  requires transitive io.netty.handler;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.http2;
  requires io.netty.codec.socks;
  requires io.netty.codec.haproxy;
  requires io.netty.handler.proxy;
  requires io.netty.resolver;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.classes.io_uring;
  requires io.netty.transport.unix.common;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.toml;
  requires org.slf4j;

  // Fault notifications POST to webhooks with the JDK's HTTP client.
  requires java.net.http;

  // /metrics: the official Prometheus client's data model and text writer (automatic modules).
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;

  // Only forwarders with country rules read a GeoIP database; embedders add the jar if they do.
  requires static com.maxmind.db;

  // A server with [server.cluster] finds its claim store (tunnel-cluster's etcd client) here.
  uses dev.tlstunnel.cluster.ClaimStore.Factory;

  // The control messages and the stream header are records Jackson reads and writes.
  opens dev.tlstunnel.protocol to
      com.fasterxml.jackson.databind;
}
