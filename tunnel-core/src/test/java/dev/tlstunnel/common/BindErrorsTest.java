package dev.tlstunnel.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.IoTransport;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class BindErrorsTest {

  @ParameterizedTest
  @EnumSource(IoTransport.class)
  void portHeldByAnotherSocketIsReportedAsInUse(IoTransport transport) throws Exception {
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = holder.getLocalPort();
      Throwable cause = bindFailure(transport, "127.0.0.1", port);

      assertThat(BindErrors.classify(cause)).isEqualTo(FailureKind.PORT_IN_USE);
      assertThat(BindErrors.describe("127.0.0.1", port, cause))
          .isEqualTo("Port " + port + " is already in use by another process");
    }
  }

  @ParameterizedTest
  @EnumSource(IoTransport.class)
  void addressNotOnThisHostKeepsTheSystemText(IoTransport transport) throws Exception {
    Throwable cause = bindFailure(transport, "192.0.2.1", 8080);

    assertThat(BindErrors.classify(cause)).isEqualTo(FailureKind.BIND_FAILED);
    assertThat(BindErrors.describe("192.0.2.1", 8080, cause))
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

    assertThat(BindErrors.classify(cause)).isEqualTo(FailureKind.PERMISSION_DENIED);
    assertThat(BindErrors.describe("0.0.0.0", 80, cause))
        .isEqualTo("Permission denied to bind to 0.0.0.0:80 - may need administrator privileges");
  }

  @Test
  void nativePermissionDeniedIsRecognisedByErrno() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -13);

    assertThat(cause.getMessage()).startsWith("bind(..) failed");
    assertThat(BindErrors.classify(cause)).isEqualTo(FailureKind.PERMISSION_DENIED);
    assertThat(BindErrors.describe("0.0.0.0", 80, cause))
        .isEqualTo("Permission denied to bind to 0.0.0.0:80 - may need administrator privileges");
  }

  @Test
  void nativeAddressInUseIsRecognisedByErrno() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -98);

    assertThat(BindErrors.describe("0.0.0.0", 8080, cause))
        .isEqualTo("Port 8080 is already in use by another process");
  }

  @Test
  void causeIsFoundDeepInTheChain() {
    IOException wrapped =
        new IOException(
            "listener failed", new RuntimeException(new BindException("Address already in use")));

    assertThat(BindErrors.classify(wrapped)).isEqualTo(FailureKind.PORT_IN_USE);
  }

  @Test
  void ipv6AddressesAreBracketed() {
    assertThat(BindErrors.describe("::1", 80, new BindException("Permission denied")))
        .isEqualTo("Permission denied to bind to [::1]:80 - may need administrator privileges");
    assertThat(
            BindErrors.describe("::1", 8080, new BindException("Cannot assign requested address")))
        .isEqualTo("Failed to bind proxy listener on [::1]:8080: Cannot assign requested address");
  }

  @Test
  void messagelessCauseIsNamedByItsClass() {
    assertThat(BindErrors.describe("0.0.0.0", 8080, new BindException()))
        .isEqualTo("Failed to bind proxy listener on 0.0.0.0:8080: BindException");
  }

  @Test
  void nativePrefixIsStrippedFromOtherErrors() {
    Epoll.ensureAvailability();
    Errors.NativeIoException cause = new Errors.NativeIoException("bind", -99);

    assertThat(BindErrors.describe("192.0.2.1", 8080, cause))
        .isEqualTo(
            "Failed to bind proxy listener on 192.0.2.1:8080: Cannot assign requested address");
  }

  /** Binds with {@code asked} (NIO where a native transport does not load) and returns why not. */
  private static Throwable bindFailure(IoTransport asked, String addr, int port)
      throws InterruptedException {
    Transport transport = Transport.of(asked);
    EventLoopGroup group = transport.newGroup(1, "bind-errors-test");
    try {
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(transport.serverChannelClass())
              .childHandler(new ChannelInboundHandlerAdapter())
              .bind(addr, port)
              .await();
      assertThat(bind.isSuccess()).as("bind of %s:%d should fail", addr, port).isFalse();
      if (transport.name().equals("nio")) {
        assertThat(bind.cause()).isInstanceOf(BindException.class);
      } else {
        assertThat(bind.cause()).isInstanceOf(Errors.NativeIoException.class);
      }
      return bind.cause();
    } finally {
      Transport.shutdown(group, 1).sync();
    }
  }
}
