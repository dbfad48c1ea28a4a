package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.mux.MuxTestHandlers.Collector;
import dev.tlstunnel.mux.MuxTestHandlers.Sender;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Our yamux against HashiCorp's Go implementation, in both roles, over loopback TCP. */
@Timeout(60)
@ExtendWith(LeakDetectorExtension.class)
class YamuxInteropTest {
  private static final int SIZE = 4 * 1024 * 1024;
  private static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    Transport.shutdown(group, 1).syncUninterruptibly();
  }

  private static byte[] withCommand(char command, byte[] data) {
    byte[] b = new byte[data.length + 1];
    b[0] = (byte) command;
    System.arraycopy(data, 0, b, 1, data.length);
    return b;
  }

  private static byte[] random(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Channel connect(GoPeer peer) throws Exception {
    String listen = peer.nextLine(30);
    assertThat(listen).startsWith("LISTEN ");
    String[] hostPort = listen.substring(7).split(":");
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                YamuxMultiplexHandler.addTo(
                    ch.pipeline(), YamuxConfig.defaults(), true, new Collector());
              }
            })
        .connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
        .sync()
        .channel();
  }

  private static Channel open(Channel parent, ChannelHandler... handlers) throws Exception {
    return YamuxMultiplexHandler.get(parent)
        .openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(handlers);
              }
            })
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void concurrentEchoStreamsLargerThanTheWindowAgainstGoServer() throws Exception {
    try (GoPeer go = GoPeer.start("echo-server", "server")) {
      Channel parent = connect(go);
      List<Collector> collectors = new ArrayList<>();
      List<byte[]> expected = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] data = random(SIZE, i);
        Collector c = new Collector();
        Sender sender = new Sender(withCommand('E', data), 64 * 1024);
        open(parent, sender, c);
        sender.start();
        collectors.add(c);
        expected.add(MuxTestHandlers.sha256().digest(data));
      }
      for (int i = 0; i < 4; i++) {
        assertThat(collectors.get(i).fin.get(30, TimeUnit.SECONDS)).isEqualTo(expected.get(i));
        assertThat(collectors.get(i).bytes).isEqualTo(SIZE);
      }
      parent.close().sync();
    }
  }

  @Test
  void halfCloseThenGoServerRepliesWithChecksum() throws Exception {
    try (GoPeer go = GoPeer.start("sink-server", "server")) {
      Channel parent = connect(go);
      byte[] data = random(SIZE, 42);
      Collector reply = new Collector();
      Sender sender = new Sender(withCommand('S', data), 100_000);
      Channel stream = open(parent, sender, reply);
      sender.start();
      reply.fin.get(30, TimeUnit.SECONDS);
      assertThat(reply.text().trim())
          .isEqualTo(HexFormat.of().formatHex(MuxTestHandlers.sha256().digest(data)));
      assertThat(stream.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(YamuxMultiplexHandler.isReset(stream)).isFalse();
      parent.close().sync();
    }
  }

  @Test
  void resetAndPingAgainstGoServer() throws Exception {
    try (GoPeer go = GoPeer.start("reset-server", "server")) {
      Channel parent = connect(go);
      assertThat(YamuxMultiplexHandler.get(parent).ping().get(5, TimeUnit.SECONDS)).isPositive();

      Channel doomed = open(parent, new Collector());
      doomed.writeAndFlush(Unpooled.copiedBuffer("Rsome data", StandardCharsets.UTF_8)).sync();
      // Reset only once Go reads the stream: a reset that overtakes the command byte would make
      // Go's first read fail instead of its read loop.
      assertThat(go.nextLine(10)).isEqualTo("READY 1");
      YamuxMultiplexHandler.reset(doomed);
      assertThat(go.nextLine(10)).isEqualTo("RESET 1");

      Collector pong = new Collector();
      Channel pinger = open(parent, pong);
      pinger.writeAndFlush(Unpooled.copiedBuffer("P", StandardCharsets.UTF_8));
      pong.fin.get(10, TimeUnit.SECONDS);
      assertThat(pong.text()).isEqualTo("PONG\n");
      parent.close().sync();
    }
  }

  @Test
  void goClientEchoesThroughOurServer() throws Exception {
    BlockingQueue<String> afterFin = new LinkedBlockingQueue<>();
    Channel listener = listen(afterFin);
    InetSocketAddress addr = (InetSocketAddress) listener.localAddress();
    try (GoPeer go =
        GoPeer.start(
            "echo-client",
            "client",
            "127.0.0.1:" + addr.getPort(),
            "echo",
            "4",
            Integer.toString(SIZE))) {
      assertThat(go.nextLine(45)).isEqualTo("OK");
      assertThat(go.waitFor(10)).isZero();
    } finally {
      listener.close().sync();
    }
  }

  @Test
  void goClientReadsToOurFinThenReplies() throws Exception {
    BlockingQueue<String> afterFin = new LinkedBlockingQueue<>();
    Channel listener = listen(afterFin);
    InetSocketAddress addr = (InetSocketAddress) listener.localAddress();
    try (GoPeer go =
        GoPeer.start(
            "halfclose-client",
            "client",
            "127.0.0.1:" + addr.getPort(),
            "halfclose",
            Integer.toString(SIZE))) {
      assertThat(go.nextLine(45)).isEqualTo("OK");
      assertThat(afterFin.poll(10, TimeUnit.SECONDS)).isEqualTo("OK\n");
      assertThat(go.waitFor(10)).isZero();
    } finally {
      listener.close().sync();
    }
  }

  private static Channel listen(BlockingQueue<String> afterFin) throws InterruptedException {
    ChannelHandler streams =
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new CommandServer(afterFin));
          }
        };
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                YamuxMultiplexHandler.addTo(ch.pipeline(), YamuxConfig.defaults(), false, streams);
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }
}
