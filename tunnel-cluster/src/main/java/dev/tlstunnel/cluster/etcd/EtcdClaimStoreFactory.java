package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.cluster.ClaimStore;
import dev.tlstunnel.config.ClusterConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.io.IOException;
import java.time.Duration;

/** Opens an {@link EtcdClaimStore}: the {@link ClaimStore} a server finds with ServiceLoader. */
public final class EtcdClaimStoreFactory implements ClaimStore.Factory {
  @Override
  public ClaimStore open(ClusterConfig config, ClaimStore.Observer observer) throws IOException {
    return EtcdClaimStore.open(client(config), config, observer);
  }

  /** An etcd client for {@code config}'s endpoints and TLS files. */
  static Client client(ClusterConfig config) throws IOException {
    ClientBuilder builder =
        Client.builder()
            .endpoints(config.etcdEndpoints().toArray(String[]::new))
            .connectTimeout(Duration.ofSeconds(2))
            .keepaliveTime(Duration.ofSeconds(5))
            .keepaliveTimeout(Duration.ofSeconds(2))
            .retryMaxDuration(Duration.ofSeconds(2));
    if (config.etcdEndpoints().stream().anyMatch(e -> e.startsWith("https:"))) {
      tls(builder, config);
    }
    return builder.build();
  }

  private static void tls(ClientBuilder builder, ClusterConfig config) throws IOException {
    try {
      builder.sslContext(
          tls -> {
            if (config.etcdCaCert() != null) {
              tls.trustManager(config.etcdCaCert().toFile());
            }
            if (config.etcdCert() != null) {
              tls.keyManager(config.etcdCert().toFile(), config.etcdKey().toFile());
            }
          });
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("cannot use the etcd TLS files: " + e.getMessage(), e);
    }
  }
}
