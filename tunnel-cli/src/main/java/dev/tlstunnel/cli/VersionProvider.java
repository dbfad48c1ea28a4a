package dev.tlstunnel.cli;

import dev.tlstunnel.TlsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The {@code --version} text: the software version (from a build-generated resource), Java, and the
 * TLS provider in use.
 */
public final class VersionProvider implements IVersionProvider {

  /** The software version, or {@code unknown} when the build did not record it. */
  public static String softwareVersion() {
    Properties props = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    String version = props.getProperty("version", "unknown");
    return version.startsWith("${") ? "unknown" : version;
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "tls-tunnel " + softwareVersion(),
      "Java "
          + System.getProperty("java.version")
          + " ("
          + System.getProperty("java.vendor")
          + ", "
          + System.getProperty("java.vm.name")
          + ")",
      "TLS provider: " + tlsProvider()
    };
  }

  /** {@code BoringSSL}, or {@code JDK} with the reason BoringSSL did not load. */
  static String tlsProvider() {
    TlsProvider provider = TlsProvider.fromSystemProperty();
    return provider == TlsProvider.JDK
        ? "JDK (BoringSSL disabled with -Dtlstunnel.tls=jdk)"
        : provider.describe();
  }
}
