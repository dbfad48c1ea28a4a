package dev.tlstunnel.server;

/** Placeholder: the precise diagnosis is written separately. */
final class BindDiagnostics {
  private BindDiagnostics() {}

  static String describe(String publishAddr, int publishPort, Throwable cause) {
    return "Failed to bind proxy listener on " + hostPort(publishAddr, publishPort) + ": " + cause;
  }

  static String hostPort(String addr, int port) {
    return (addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr) + ":" + port;
  }
}
