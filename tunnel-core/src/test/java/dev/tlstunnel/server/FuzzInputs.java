package dev.tlstunnel.server;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.protocol.ControlCodec;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.TrackingAllocator;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.transport.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * Shared by the fuzz targets: a server context without sockets, and the input layout. The first
 * byte picks the mode (see {@link #shape}), the second the size of the chunks the input is written
 * in (so the decoders see frames split at every possible point).
 */
final class FuzzInputs {
  static final String KEY = "fuzz-key-0123456789abcdef";

  private FuzzInputs() {}

  static ServerContext context() {
    ServerConfig config =
        TunnelFixture.built(ServerConfig.builder().bind("127.0.0.1", 7000).authKey(KEY));
    return new ServerContext(
        config,
        Transport.nio(),
        new ServerEvents(List.of(), Clock.systemUTC()),
        ImmediateEventExecutor.INSTANCE);
  }

  /**
   * Turns fuzzer input into the bytes a tunnel receives after TLS. Mode (byte 0, low 2 bits): 0 raw
   * bytes; 1 a valid hello on stream 1 first, then raw bytes; 2 the rest is control-stream content,
   * wrapped in yamux data frames on stream 1 (the fuzzer reaches the JSON codec without having to
   * learn yamux); 3 like 2 after a valid hello.
   */
  static byte[] shape(byte[] input) {
    if (input.length < 2) {
      return input;
    }
    int mode = input[0] & 3;
    byte[] rest = Arrays.copyOfRange(input, 2, input.length);
    byte[] hello = RawYamux.data(RawYamux.SYN, 1, RawYamux.hello(KEY, "fuzz"));
    switch (mode) {
      case 0:
        return rest;
      case 1:
        return RawYamux.concat(hello, rest);
      case 2:
        return RawYamux.concat(
            RawYamux.header(RawYamux.WINDOW_UPDATE, RawYamux.SYN, 1, 0), wrap(rest));
      default:
        return RawYamux.concat(hello, wrap(rest));
    }
  }

  /** Control-stream bytes in yamux data frames of at most 977 bytes on stream 1. */
  private static byte[] wrap(byte[] content) {
    byte[][] frames = new byte[(content.length + 976) / 977][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] =
          RawYamux.data(
              0, 1, Arrays.copyOfRange(content, i * 977, Math.min(content.length, (i + 1) * 977)));
    }
    return RawYamux.concat(frames);
  }

  /**
   * Turns control-stream fuzzer input into the bytes its stream receives: byte 0, low bit set, puts
   * a valid hello first; byte 1 is the chunk size ({@link #feed}); the rest follows from byte 1 on.
   */
  static byte[] shapeControl(byte[] input) {
    if (input.length == 0) {
      return input;
    }
    byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
    return (input[0] & 1) == 1 ? RawYamux.concat(RawYamux.hello(KEY, "fuzz"), bytes) : bytes;
  }

  /**
   * The server's control stream on embedded channels, with its codec and authentication handler, as
   * when a client has opened its first stream; closing it closes both and releases what they hold.
   * Both allocate from {@code alloc}, which tells afterwards whether all of it was released.
   */
  record ControlRig(
      ServerContext context,
      EmbeddedChannel tunnel,
      EmbeddedChannel control,
      TrackingAllocator alloc)
      implements AutoCloseable {
    static ControlRig open() {
      ServerContext context = FuzzInputs.context();
      EmbeddedChannel tunnel = new EmbeddedChannel();
      EmbeddedChannel control = new EmbeddedChannel();
      TrackingAllocator alloc = new TrackingAllocator();
      tunnel.config().setAllocator(alloc);
      control.config().setAllocator(alloc);
      tunnel.freezeTime();
      control.freezeTime();
      ControlCodec.addTo(control.pipeline());
      control.pipeline().addLast("auth", new ServerAuthHandler(context, tunnel));
      return new ControlRig(context, tunnel, control, alloc);
    }

    @Override
    public void close() {
      tunnel.close();
      tunnel.runPendingTasks();
      control.close();
      control.runPendingTasks();
      control.finishAndReleaseAll();
      tunnel.finishAndReleaseAll();
    }
  }

  /** Writes {@code bytes} into {@code channel} in chunks of {@code 1 + (input[1] & 0xff)} bytes. */
  static void feed(EmbeddedChannel channel, byte[] input, byte[] bytes) {
    int chunk = input.length < 2 ? 4096 : 1 + (input[1] & 0xff);
    for (int off = 0; off < bytes.length && channel.isOpen(); off += chunk) {
      int n = Math.min(chunk, bytes.length - off);
      channel.writeInbound(Unpooled.wrappedBuffer(bytes, off, n));
      channel.runPendingTasks();
    }
  }
}
