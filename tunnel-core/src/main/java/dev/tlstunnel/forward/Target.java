package dev.tlstunnel.forward;

/** A host and port a forwarder was asked to reach. */
record Target(String host, int port) {

  /** {@code host:port}, {@code [v6]:port} or {@code host} with {@code defaultPort}; null if bad. */
  static Target parseAuthority(String authority, int defaultPort) {
    String a = authority.strip();
    int at = a.lastIndexOf('@');
    if (at >= 0) {
      a = a.substring(at + 1);
    }
    String host;
    String port = null;
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      if (end < 0) {
        return null;
      }
      host = a.substring(1, end);
      if (end + 1 < a.length()) {
        if (a.charAt(end + 1) != ':') {
          return null;
        }
        port = a.substring(end + 2);
      }
    } else {
      int colon = a.lastIndexOf(':');
      if (colon >= 0 && a.indexOf(':') != colon) {
        return null; // a bare IPv6 address needs brackets
      }
      host = colon < 0 ? a : a.substring(0, colon);
      port = colon < 0 ? null : a.substring(colon + 1);
    }
    if (host.isEmpty() || host.length() > 255) {
      return null;
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return p < 1 || p > 65535 ? null : new Target(host, p);
  }

  /** {@code host:port}, with IPv6 literals in brackets. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
