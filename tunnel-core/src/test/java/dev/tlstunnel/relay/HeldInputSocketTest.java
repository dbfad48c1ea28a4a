package dev.tlstunnel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.IoTransport;
import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection accepted for a relay (auto-read off) whose peer sends and ends its output at once,
 * while the far side of the relay takes a while to set up (as a stream over a peer link that is
 * still being dialled): everything sent, and the end, reach the far side. On io_uring Netty reads
 * such a connection unasked once the peer's end arrives; without a {@link HeldInput} those bytes
 * reach the end of the pipeline before the relay exists and are dropped.
 */
@Timeout(30)
class HeldInputSocketTest {
  private static final int SIZE = 1 << 16;
  private static final long SETUP_MILLIS = 200;
  private static final int ROUNDS = 100;

  @ParameterizedTest
  @EnumSource(
      value = IoTransport.class,
      names = {"NIO", "IO_URING"})
  void bytesAndTheEndSentBeforeTheRelayStartsReachTheFarSide(IoTransport asked) throws Exception {
    Transport transport = Transport.of(asked);
    EventLoopGroup group = transport.newGroup(1, "held-input-test");
    try (ServerSocket far = new ServerSocket()) {
      far.bind(new InetSocketAddress("127.0.0.1", 0));
      CompletableFuture<byte[]> arrived = nextArrival(far);
      Channel listener = listen(group, transport, far, SETUP_MILLIS, null);
      sendEndAndCheck(listener, SIZE, arrived, 10, "");
      listener.close().sync();
    } finally {
      Transport.shutdown(group, 1).sync();
    }
  }

  /**
   * The far side is dialled on another event loop, as a stream over a peer link is, and the relay
   * starts from there while the connection's own loop may be reading what arrives: every byte and
   * the end still reach the far side, connection after connection.
   */
  @ParameterizedTest
  @EnumSource(
      value = IoTransport.class,
      names = {"NIO", "IO_URING"})
  void relayStartedFromAnotherLoopLosesNothing(IoTransport asked) throws Exception {
    Transport transport = Transport.of(asked);
    EventLoopGroup group = transport.newGroup(1, "held-input-test");
    EventLoopGroup dialLoops = transport.newGroup(1, "held-input-dial");
    try (ServerSocket far = new ServerSocket()) {
      far.bind(new InetSocketAddress("127.0.0.1", 0));
      Channel listener = listen(group, transport, far, 0, dialLoops);
      for (int round = 0; round < ROUNDS; round++) {
        sendEndAndCheck(listener, 1 << 14, nextArrival(far), 5, " in round " + round);
      }
      listener.close().sync();
    } finally {
      Transport.shutdown(dialLoops, 1).sync();
      Transport.shutdown(group, 1).sync();
    }
  }

  /** What the next connection to {@code far} sends until its end. */
  private static CompletableFuture<byte[]> nextArrival(ServerSocket far) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Socket s = far.accept()) {
            return s.getInputStream().readAllBytes();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** A relay listener whose connections hold their input and relay to {@code far} (SlowRelay). */
  private static Channel listen(
      EventLoopGroup group,
      Transport transport,
      ServerSocket far,
      long delayMillis,
      EventLoopGroup dialLoops)
      throws InterruptedException {
    return Listeners.forRelay(
            group.next(),
            transport.serverChannelClass(),
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                HeldInput.install(ch);
                ch.pipeline()
                    .addLast(new SlowRelay(transport, far.getLocalPort(), delayMillis, dialLoops));
              }
            })
        .bind("127.0.0.1", 0)
        .sync()
        .channel();
  }

  /**
   * Connects to {@code listener}, sends {@code size} random bytes and ends its output at once, and
   * checks that the same bytes arrived at the far side within {@code seconds}.
   */
  private static void sendEndAndCheck(
      Channel listener, int size, CompletableFuture<byte[]> arrived, long seconds, String when)
      throws Exception {
    byte[] sent = new byte[size];
    ThreadLocalRandom.current().nextBytes(sent);
    try (Socket peer =
        new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort())) {
      OutputStream out = peer.getOutputStream();
      out.write(sent);
      peer.shutdownOutput();
      byte[] got = arrived.get(seconds, TimeUnit.SECONDS);
      assertThat(got.length).as("bytes at the far side" + when).isEqualTo(size);
      assertThat(Arrays.equals(got, sent)).as("the same bytes" + when).isTrue();
    }
  }

  /**
   * Dials the far side {@code delayMillis} after the connection is accepted, on {@code dialLoops}
   * (the connection's own loop when null), then relays from where the dial completed.
   */
  private static final class SlowRelay extends ChannelInboundHandlerAdapter {
    private final Transport transport;
    private final int farPort;
    private final long delayMillis;
    private final EventLoopGroup dialLoops;

    SlowRelay(Transport transport, int farPort, long delayMillis, EventLoopGroup dialLoops) {
      this.transport = transport;
      this.farPort = farPort;
      this.delayMillis = delayMillis;
      this.dialLoops = dialLoops;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel inbound = ctx.channel();
      ctx.executor()
          .schedule(
              () -> {
                ChannelFuture dial =
                    new Bootstrap()
                        .group(dialLoops == null ? inbound.eventLoop() : dialLoops.next())
                        .channel(transport.socketChannelClass())
                        .option(ChannelOption.AUTO_READ, false)
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .handler(new ChannelInboundHandlerAdapter())
                        .connect("127.0.0.1", farPort);
                dial.addListener(
                    f -> {
                      if (!f.isSuccess()) {
                        inbound.close();
                        return;
                      }
                      ctx.pipeline().remove(this);
                      HeldInput.relay(inbound, dial.channel());
                    });
              },
              delayMillis,
              TimeUnit.MILLISECONDS);
      ctx.fireChannelActive();
    }
  }
}
