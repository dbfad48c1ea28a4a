package dev.tlstunnel.example;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A server, a client and a local service in one JVM: the client publishes the service through the
 * server, waits until it is served, reads it through the tunnel, and closes everything. Run with
 * the server's certificate and key (PEM, e.g. made by {@code tls-tunnel cert}) as arguments.
 */
public final class EmbeddingExample {
  public static void main(String[] args) throws Exception {
    Path cert = Path.of(args[0]);
    Path key = Path.of(args[1]);
    String authKey = "example-auth-key-0123456789";

    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      serveGreetings(service);

      ServerConfig serverConfig =
          ServerConfig.builder()
              .bind("127.0.0.1", 0)
              .certificate(cert, key)
              .authKey(authKey)
              .build();
      try (TunnelServer server =
          TunnelServer.builder(serverConfig)
              .listener(TunnelServer.Listener.of(event -> System.out.println("server: " + event)))
              .start()) {

        ClientConfig clientConfig =
            ClientConfig.builder()
                .server("127.0.0.1", server.address().getPort())
                .authKey(authKey)
                .caCertPath(cert) // trust the server's own certificate
                .clientId("example")
                .addProxy(
                    ProxyConfig.builder("greeting")
                        .publish("127.0.0.1", 0) // 0: the server picks a free port
                        .local("127.0.0.1", service.getLocalPort()))
                .build();
        try (TunnelClient client =
            TunnelClient.builder(clientConfig)
                .listener(TunnelClient.Listener.of(event -> System.out.println("client: " + event)))
                .start()) {

          InetSocketAddress published =
              client.proxy("greeting").whenHealthy().get(30, TimeUnit.SECONDS);
          System.out.println("published on " + published);
          try (Socket visitor = new Socket(published.getAddress(), published.getPort());
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(visitor.getInputStream(), StandardCharsets.UTF_8))) {
            System.out.println("through the tunnel: " + in.readLine());
          }
        }
      }
    }
  }

  /** Answers every connection with one line, on a daemon thread, until the socket is closed. */
  private static void serveGreetings(ServerSocket service) {
    Thread thread =
        new Thread(
            () -> {
              while (!service.isClosed()) {
                try (Socket s = service.accept();
                    OutputStream out = s.getOutputStream()) {
                  out.write("hello from the local service\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "greeting-service");
    thread.setDaemon(true);
    thread.start();
  }
}
