package dev.tlstunnel.cluster.etcd;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.cluster.Member;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The keys of a cluster in etcd and their JSON values (snake_case):
 *
 * <ul>
 *   <li>{@code /tls-tunnel/members/<node_id>}: {@code {"node", "peer_addr", "lease_id",
 *       "ttl_seconds"}}
 *   <li>{@code /tls-tunnel/names/<proxy>}: {@code {"node", "client", "session", "proxy_name",
 *       "publish_addr", "publish_port"}}
 *   <li>{@code /tls-tunnel/ports/<port>}: the same value, for a published proxy
 *   <li>{@code /tls-tunnel/listeners/<node_id>/<proxy>}: how that server's listener for that
 *       published proxy stands: {@code {"node", "proxy", "state", "address", "attempt", "message"}}
 * </ul>
 *
 * Every key lives on the lease of the server that wrote it.
 */
final class EtcdKeys {
  static final String PREFIX = "/tls-tunnel/";

  private final ObjectMapper json =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  ByteSequence prefix() {
    return bytes(PREFIX);
  }

  String namesPrefix() {
    return PREFIX + "names/";
  }

  String membersPrefix() {
    return PREFIX + "members/";
  }

  String listenersPrefix() {
    return PREFIX + "listeners/";
  }

  ByteSequence listener(String node, String proxy) {
    return bytes(listenersPrefix() + node + "/" + proxy);
  }

  ByteSequence name(String proxy) {
    return bytes(namesPrefix() + proxy);
  }

  ByteSequence port(int port) {
    return bytes(PREFIX + "ports/" + port);
  }

  ByteSequence member(String node) {
    return bytes(membersPrefix() + node);
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static PutOption onLease(long lease) {
    return PutOption.builder().withLeaseId(lease).build();
  }

  ByteSequence encode(Object value) {
    try {
      return ByteSequence.from(json.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + value, e);
    }
  }

  /** The claim in {@code value}, or null when it is not one (written by something else). */
  Claim claim(ByteSequence value) {
    return read(value, Claim.class);
  }

  Member member(ByteSequence value) {
    return read(value, Member.class);
  }

  /** A listener state as {@code cluster status} shows it (the same fields as ListenerState). */
  ClusterStatus.Listener listener(ByteSequence value) {
    return read(value, ClusterStatus.Listener.class);
  }

  private <T> T read(ByteSequence value, Class<T> type) {
    try {
      return json.readValue(value.getBytes(), type);
    } catch (IOException e) {
      return null;
    }
  }
}
