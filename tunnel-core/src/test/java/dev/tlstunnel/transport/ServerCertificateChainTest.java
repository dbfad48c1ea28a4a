package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.testing.TestPki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A certificate file with more than one certificate (the server's, then the chain to its CA): the
 * server presents all of them, in the file's order, on both TLS providers.
 */
@Timeout(30)
class ServerCertificateChainTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"JDK", "BORINGSSL"})
  void serverPresentsEveryCertificateOfItsFile(TlsProvider provider) throws Exception {
    TestPki.CertFiles files = TestPki.withChain(dir, "localhost", "Test CA");
    SslContext tls = TlsContexts.forServer(files.cert(), files.key(), provider);

    EventLoopGroup group = Transport.best().newGroup(1, "chain-test");
    try {
      Channel listener =
          new ServerBootstrap()
              .group(group)
              .channel(Transport.forGroup(group).serverChannelClass())
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      SSLContext trustAll = SSLContext.getInstance("TLS");
      trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      try (SSLSocket socket =
          (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        Certificate[] sent = socket.getSession().getPeerCertificates();
        assertThat(sent).containsExactly(certificates(files.cert()));
      }
      listener.close().sync();
    } finally {
      Transport.shutdown(group, 5).sync();
    }
  }

  private static Certificate[] certificates(Path pem) throws Exception {
    try (var in = Files.newInputStream(pem)) {
      Certificate[] all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(in)
              .toArray(new Certificate[0]);
      assertThat(all).hasSize(2);
      return all;
    }
  }
}
