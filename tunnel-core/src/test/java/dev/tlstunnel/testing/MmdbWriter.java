package dev.tlstunnel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a small IPv4 country database in the MaxMind DB format (version 2.0, 24-bit records): the
 * binary search tree, the 16-byte separator, the data section with one {@code {"country":
 * {"iso_code": ...}}} map per country, and the metadata after the {@code \xAB\xCD\xEFMaxMind.com}
 * marker. Read back in tests with MaxMind's own reader; no mock.
 */
public final class MmdbWriter {
  private static final class Node {
    Object left;
    Object right;
  }

  private final Node root = new Node();
  private final Map<String, Integer> dataOffsets = new LinkedHashMap<>();
  private final ByteArrayOutputStream data = new ByteArrayOutputStream();

  /** Maps {@code cidr} (IPv4, e.g. {@code 127.0.0.2/32}) to {@code isoCode}. */
  public MmdbWriter put(String cidr, String isoCode) throws IOException {
    String[] parts = cidr.split("/");
    InetAddress address = InetAddress.getByName(parts[0]);
    if (!(address instanceof Inet4Address)) {
      throw new IllegalArgumentException("IPv4 only: " + cidr);
    }
    int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
    Integer offset = dataOffsets.get(isoCode);
    if (offset == null) {
      offset = data.size();
      dataOffsets.put(isoCode, offset);
      writeCountry(isoCode);
    }
    byte[] bits = address.getAddress();
    Node node = root;
    for (int i = 0; i < prefix; i++) {
      boolean one = ((bits[i / 8] >> (7 - i % 8)) & 1) == 1;
      if (i == prefix - 1) {
        if (one) {
          node.right = offset;
        } else {
          node.left = offset;
        }
        break;
      }
      Object next = one ? node.right : node.left;
      if (!(next instanceof Node)) {
        next = new Node();
        if (one) {
          node.right = next;
        } else {
          node.left = next;
        }
      }
      node = (Node) next;
    }
    return this;
  }

  private void writeCountry(String isoCode) {
    mapHeader(data, 1);
    string(data, "country");
    mapHeader(data, 1);
    string(data, "iso_code");
    string(data, isoCode);
  }

  /** Writes the database to {@code file}. */
  public Path write(Path file) throws IOException {
    List<Node> nodes = new ArrayList<>();
    Map<Node, Integer> index = new LinkedHashMap<>();
    ArrayDeque<Node> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Node n = queue.poll();
      index.put(n, nodes.size());
      nodes.add(n);
      for (Object child : new Object[] {n.left, n.right}) {
        if (child instanceof Node c) {
          queue.add(c);
        }
      }
    }
    int count = nodes.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Node n : nodes) {
      record(out, value(n.left, index, count));
      record(out, value(n.right, index, count));
    }
    out.write(new byte[16]);
    data.writeTo(out);
    out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
    out.write("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
    metadata(out, count);
    return Files.write(file, out.toByteArray());
  }

  private static int value(Object child, Map<Node, Integer> index, int count) {
    if (child instanceof Node n) {
      return index.get(n);
    }
    if (child instanceof Integer offset) {
      return count + 16 + offset;
    }
    return count; // no data
  }

  private static void record(ByteArrayOutputStream out, int value) {
    out.write(value >>> 16);
    out.write(value >>> 8);
    out.write(value);
  }

  private static void metadata(ByteArrayOutputStream out, int nodeCount) {
    mapHeader(out, 9);
    string(out, "node_count");
    unsigned(out, 6, nodeCount);
    string(out, "record_size");
    unsigned(out, 5, 24);
    string(out, "ip_version");
    unsigned(out, 5, 4);
    string(out, "database_type");
    string(out, "Test-Country");
    string(out, "languages");
    out.write(1); // extended type, one element
    out.write(11 - 7); // array
    string(out, "en");
    string(out, "binary_format_major_version");
    unsigned(out, 5, 2);
    string(out, "binary_format_minor_version");
    unsigned(out, 5, 0);
    string(out, "build_epoch");
    out.write(4); // extended type, 4 bytes
    out.write(9 - 7); // uint64
    writeBytes(out, 4, 1_700_000_000L);
    string(out, "description");
    mapHeader(out, 1);
    string(out, "en");
    string(out, "tls-tunnel test countries");
  }

  private static void mapHeader(ByteArrayOutputStream out, int size) {
    out.write((7 << 5) | size);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length >= 29) {
      out.write((2 << 5) | 29);
      out.write(b.length - 29);
    } else {
      out.write((2 << 5) | b.length);
    }
    out.write(b, 0, b.length);
  }

  /** uint16 (type 5) or uint32 (type 6) in 4 bytes, written in as many bytes as it needs. */
  private static void unsigned(ByteArrayOutputStream out, int type, long value) {
    int size = value == 0 ? 0 : (64 - Long.numberOfLeadingZeros(value) + 7) / 8;
    out.write((type << 5) | size);
    writeBytes(out, size, value);
  }

  private static void writeBytes(ByteArrayOutputStream out, int size, long value) {
    for (int i = size - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)));
    }
  }
}
