package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS-terminating TCP proxy on loopback, like HAProxy in TCP mode: accepts TLS (offering the
 * given ALPN protocols), connects each connection to a cleartext backend port and copies bytes both
 * ways unchanged.
 */
public final class TlsTerminator implements AutoCloseable {
  private final SSLServerSocket server;
  private final int backendPort;
  private final List<Socket> sockets = new ArrayList<>();
  private final Thread acceptor;

  public TlsTerminator(SSLContext ssl, int backendPort, String... alpn) throws IOException {
    this.backendPort = backendPort;
    this.server =
        (SSLServerSocket)
            ssl.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    SSLParameters params = server.getSSLParameters();
    params.setApplicationProtocols(alpn);
    server.setSSLParameters(params);
    acceptor = new Thread(this::accept, "tls-terminator");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    try {
      while (true) {
        SSLSocket front = (SSLSocket) server.accept();
        Socket back = new Socket(InetAddress.getLoopbackAddress(), backendPort);
        synchronized (sockets) {
          sockets.add(front);
          sockets.add(back);
        }
        pump(front, back);
        pump(back, front);
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                close(from);
                close(to);
              }
            },
            "tls-terminator-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (sockets) {
      sockets.forEach(TlsTerminator::close);
    }
  }
}
