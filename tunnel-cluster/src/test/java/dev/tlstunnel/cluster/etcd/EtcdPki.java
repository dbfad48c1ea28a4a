package dev.tlstunnel.cluster.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CA made with openssl, a server certificate of it for 127.0.0.1 and a client certificate of it
 * (EC P-256, PKCS#8 keys), for an etcd that speaks TLS ({@link EtcdProcess#startTls}).
 */
record EtcdPki(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
  private static final List<String> NEW_EC_KEY =
      List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes");

  static EtcdPki create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    EtcdPki p =
        new EtcdPki(
            dir.resolve("ca.pem"),
            dir.resolve("server.pem"),
            dir.resolve("server.key"),
            dir.resolve("client.pem"),
            dir.resolve("client.key"));
    Path caKey = dir.resolve("ca.key");
    openssl(
        dir,
        List.of("req", "-x509"),
        NEW_EC_KEY,
        List.of("-keyout", caKey.toString(), "-out", p.ca().toString()),
        List.of("-days", "2", "-subj", "/CN=etcd test CA"));
    p.issue(
        dir,
        caKey,
        "server",
        p.serverCert(),
        p.serverKey(),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    p.issue(dir, caKey, "client", p.clientCert(), p.clientKey(), "extendedKeyUsage=clientAuth\n");
    return p;
  }

  /** A key and a certificate of the CA for it, with {@code extensions}. */
  private void issue(Path dir, Path caKey, String name, Path cert, Path key, String extensions)
      throws IOException, InterruptedException {
    Path csr = dir.resolve(name + ".csr");
    Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions);
    openssl(
        dir,
        List.of("req"),
        NEW_EC_KEY,
        List.of("-keyout", key.toString(), "-out", csr.toString()),
        List.of("-subj", "/CN=" + name));
    openssl(
        dir,
        List.of("x509", "-req", "-in", csr.toString(), "-CA", ca.toString()),
        List.of("-CAkey", caKey.toString(), "-CAcreateserial", "-out", cert.toString()),
        List.of("-days", "2", "-extfile", ext.toString()));
  }

  @SafeVarargs
  private static void openssl(Path dir, List<String>... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    for (List<String> a : args) {
      command.addAll(a);
    }
    Path log = dir.resolve("openssl.log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (p.waitFor() != 0) {
      throw new IOException(command + " failed: " + Files.readString(log));
    }
  }
}
