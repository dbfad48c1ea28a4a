package dev.tlstunnel.server;

import static dev.tlstunnel.testing.RawYamux.ACK;
import static dev.tlstunnel.testing.RawYamux.FIN;
import static dev.tlstunnel.testing.RawYamux.GO_AWAY;
import static dev.tlstunnel.testing.RawYamux.PING;
import static dev.tlstunnel.testing.RawYamux.RST;
import static dev.tlstunnel.testing.RawYamux.SYN;
import static dev.tlstunnel.testing.RawYamux.WINDOW_UPDATE;
import static dev.tlstunnel.testing.RawYamux.concat;
import static dev.tlstunnel.testing.RawYamux.control;
import static dev.tlstunnel.testing.RawYamux.data;
import static dev.tlstunnel.testing.RawYamux.header;
import static dev.tlstunnel.testing.RawYamux.hello;
import static dev.tlstunnel.testing.RawYamux.register;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seed corpus of the two fuzz targets: a handful of valid conversations each, so that fuzzing
 * starts past authentication and registration instead of from an empty input. Run {@link #main}
 * from {@code tunnel-core} to write them under {@code src/test/resources}; {@code FuzzSeedsTest}
 * checks that the committed files are what this class generates and that each reaches the state it
 * is meant to.
 */
final class FuzzSeeds {
  static final String PIPELINE_DIR =
      "dev/tlstunnel/server/TunnelPipelineFuzzTestInputs/tunnelPipeline";
  static final String CONTROL_DIR =
      "dev/tlstunnel/server/ControlStreamFuzzTestInputs/controlStream";

  /** Modes of {@link FuzzInputs#shape}: byte 0. */
  private static final int RAW = 0;

  private static final int HELLO_THEN_RAW = 1;
  private static final int CONTROL = 2;
  private static final int HELLO_THEN_CONTROL = 3;

  /** Byte 1: chunks of {@code 1 + byte} bytes; 255 feeds 256-byte chunks, 0 one byte at a time. */
  private static final int CHUNK_256 = 255;

  private static final int CHUNK_1 = 0;

  private FuzzSeeds() {}

  static final byte[] HEARTBEAT =
      control("{\"type\":\"heartbeat\",\"timestamp_millis\":1700000000000,\"reply\":false}");

  static final byte[] REGISTER_TWO =
      control(
          "{\"type\":\"register_proxies\",\"proxies\":["
              + "{\"name\":\"web\",\"publish_addr\":\"127.0.0.1\",\"publish_port\":0,"
              + "\"proxy_type\":\"tcp\"},"
              + "{\"name\":\"ssh\",\"publish_addr\":\"127.0.0.1\",\"publish_port\":0,"
              + "\"proxy_type\":\"tcp\",\"bind_retry\":{\"max_retries\":3,"
              + "\"initial_delay_ms\":100,\"max_delay_ms\":400}}]}");

  static final byte[] UNKNOWN = control("{\"type\":\"teleport\",\"where\":\"mars\"}");

  /** Inputs of {@code TunnelPipelineFuzzTest}, by name. */
  static Map<String, byte[]> tunnelPipeline() {
    byte[] hello = data(SYN, 1, hello(FuzzInputs.KEY, "seed"));
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("hello", input(RAW, CHUNK_256, hello));
    seeds.put(
        "hello-register-heartbeat",
        input(RAW, CHUNK_256, hello, data(0, 1, register("web")), data(0, 1, HEARTBEAT)));
    seeds.put(
        "ping-window-update-go-away",
        input(
            HELLO_THEN_RAW,
            CHUNK_256,
            header(PING, SYN, 0, 42),
            header(PING, ACK, 0, 7),
            header(WINDOW_UPDATE, 0, 1, 65_536),
            header(GO_AWAY, 0, 0, 0)));
    seeds.put(
        "streams-data-fin-rst",
        input(
            HELLO_THEN_RAW,
            CHUNK_256,
            data(SYN, 3, new byte[] {1, 2, 3}),
            header(WINDOW_UPDATE, FIN, 3, 0),
            header(WINDOW_UPDATE, SYN, 5, 0),
            data(0, 5, new byte[] {4}),
            header(WINDOW_UPDATE, RST, 5, 0)));
    seeds.put(
        "register-two-one-byte-chunks", input(HELLO_THEN_RAW, CHUNK_1, data(0, 1, REGISTER_TWO)));
    seeds.put("control-hello", input(CONTROL, CHUNK_256, hello(FuzzInputs.KEY, "seed")));
    seeds.put(
        "control-register-heartbeat-unknown",
        input(HELLO_THEN_CONTROL, CHUNK_256, REGISTER_TWO, HEARTBEAT, UNKNOWN));
    return seeds;
  }

  /** Inputs of {@code ControlStreamFuzzTest}, by name (byte 0 odd: a valid hello first). */
  static Map<String, byte[]> controlStream() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("hello", input(0, hello(FuzzInputs.KEY, "seed")));
    seeds.put("unknown-then-hello", input(0, UNKNOWN, hello(FuzzInputs.KEY, "seed")));
    seeds.put("wrong-key", input(0, hello("not-the-key-0123456789", "seed")));
    seeds.put("register", input(1, REGISTER_TWO));
    seeds.put("heartbeat-unknown", input(1, HEARTBEAT, UNKNOWN));
    seeds.put("second-hello", input(1, hello(FuzzInputs.KEY, "again")));
    return seeds;
  }

  private static byte[] input(int mode, int chunk, byte[]... parts) {
    return concat(new byte[] {(byte) mode, (byte) chunk}, concat(parts));
  }

  private static byte[] input(int first, byte[]... parts) {
    return concat(new byte[] {(byte) first}, concat(parts));
  }

  /** Writes the seeds under {@code args[0]} (default {@code src/test/resources}). */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
    write(root.resolve(PIPELINE_DIR), tunnelPipeline());
    write(root.resolve(CONTROL_DIR), controlStream());
  }

  private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
      Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
    }
  }
}
