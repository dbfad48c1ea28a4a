package dev.tlstunnel.config;

import java.util.Locale;

/** The protocol a forwarder speaks to local applications. */
public enum ForwarderType {
  /** HTTP proxy: {@code CONNECT} and absolute-URI requests. */
  HTTP,
  /** SOCKS5 ({@code CONNECT} only). */
  SOCKS5;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
