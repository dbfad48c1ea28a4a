package dev.tlstunnel.bind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.bind.BindDiagnostics.BindFailureKind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class BindDiagnosticsTest {

  /** The two transports the server may bind with. */
  enum Transport {
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class),
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class);

    final Supplier<IoHandlerFactory> factory;
    final Class<? extends ServerChannel> channel;

    Transport(Supplier<IoHandlerFactory> factory, Class<? extends ServerChannel> channel) {
      this.factory = factory;
      this.channel = channel;
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void portHeldByAnotherSocketIsReportedAsInUse(Transport transport) throws Exception {
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = holder.getLocalPort();
      Throwable cause = bindFailure(transport, "127.0.0.1", port);

      assertThat(BindDiagnostics.classify(cause)).isEqualTo(BindFailureKind.ADDRESS_IN_USE);
      assertThat(BindDiagnostics.describe("127.0.0.1", port, cause))
          .isEqualTo("Port " + port + " is already in use by another process");
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void addressNotOnThisHostKeepsTheSystemText(Transport transport) throws Exception {
    Throwable cause = bindFailure(transport, "192.0.2.1", 8080);

    assertThat(BindDiagnostics.classify(cause)).isEqualTo(BindFailureKind.OTHER);
    assertThat(BindDiagnostics.describe("192.0.2.1", 8080, cause))
        .isEqualTo(
            "Failed to bind proxy listener on 192.0.2.1:8080: Cannot assign requested address");
  }

  @Test
  void epollIsAvailableOnThisHost() {
    assertThat(Epoll.isAvailable())
        .as("epoll unavailable: %s", Epoll.unavailabilityCause())
        .isTrue();
  }

  @Test
  void nioPermissionDenied() {
    BindException cause = new BindException("Permission denied");

    assertThat(BindDiagnostics.classify(cause)).isEqualTo(BindFailureKind.PERMISSION_DENIED);
    assertThat(BindDiagnostics.describe("0.0.0.0", 80, cause))
        .isEqualTo("Permission denied to bind to 0.0.0.0:80 - may need administrator privileges");
  }

  @Test
  void nativePermissionDeniedIsRecognisedByErrno() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -13);

    assertThat(cause.getMessage()).startsWith("bind(..) failed");
    assertThat(BindDiagnostics.classify(cause)).isEqualTo(BindFailureKind.PERMISSION_DENIED);
    assertThat(BindDiagnostics.describe("0.0.0.0", 80, cause))
        .isEqualTo("Permission denied to bind to 0.0.0.0:80 - may need administrator privileges");
  }

  @Test
  void nativeAddressInUseIsRecognisedByErrno() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -98);

    assertThat(BindDiagnostics.describe("0.0.0.0", 8080, cause))
        .isEqualTo("Port 8080 is already in use by another process");
  }

  @Test
  void causeIsFoundDeepInTheChain() {
    IOException wrapped =
        new IOException(
            "listener failed", new RuntimeException(new BindException("Address already in use")));

    assertThat(BindDiagnostics.classify(wrapped)).isEqualTo(BindFailureKind.ADDRESS_IN_USE);
  }

  @Test
  void ipv6AddressesAreBracketed() {
    assertThat(BindDiagnostics.describe("::1", 80, new BindException("Permission denied")))
        .isEqualTo("Permission denied to bind to [::1]:80 - may need administrator privileges");
    assertThat(
            BindDiagnostics.describe(
                "::1", 8080, new BindException("Cannot assign requested address")))
        .isEqualTo("Failed to bind proxy listener on [::1]:8080: Cannot assign requested address");
  }

  @Test
  void messagelessCauseIsNamedByItsClass() {
    assertThat(BindDiagnostics.describe("0.0.0.0", 8080, new BindException()))
        .isEqualTo("Failed to bind proxy listener on 0.0.0.0:8080: BindException");
  }

  @Test
  void nativePrefixIsStrippedFromOtherErrors() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -99);

    assertThat(BindDiagnostics.describe("192.0.2.1", 8080, cause))
        .isEqualTo(
            "Failed to bind proxy listener on 192.0.2.1:8080: Cannot assign requested address");
  }

  private static Throwable bindFailure(Transport transport, String addr, int port)
      throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.factory.get());
    try {
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(transport.channel)
              .childHandler(new ChannelInboundHandlerAdapter())
              .bind(addr, port)
              .await();
      assertThat(bind.isSuccess()).as("bind of %s:%d should fail", addr, port).isFalse();
      if (transport == Transport.EPOLL) {
        assertThat(bind.cause()).isInstanceOf(Errors.NativeIoException.class);
      } else {
        assertThat(bind.cause()).isInstanceOf(BindException.class);
      }
      return bind.cause();
    } finally {
      dev.tlstunnel.transport.Transport.shutdown(group, 1).sync();
    }
  }
}
