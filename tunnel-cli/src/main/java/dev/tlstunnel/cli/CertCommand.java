package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.Fingerprints;
import io.netty.util.NetUtil;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel cert}: generates a self-signed certificate and its key for the server and
 * prints the fingerprint clients pin.
 */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Generate a self-signed certificate and private key for the server.",
      "Both are PEM files, the key in PKCS#8. Prints the SHA-256 fingerprint that",
      "clients pin with --server-fingerprint."
    })
public final class CertCommand implements Callable<Integer> {
  private static final Pattern DNS_NAME =
      Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9-]+)*\\.?");

  @Spec private CommandSpec spec;

  @Option(
      names = "--common-name",
      paramLabel = "NAME",
      description = "The subject's CN (default: this host's name).")
  private String commonName;

  @Option(
      names = "--alt-names",
      paramLabel = "NAMES",
      split = ",",
      description =
          "Subject alternative names, comma-separated: DNS names and IP addresses, optionally written DNS:name or IP:address (default: the common name).")
  private List<String> altNames = new ArrayList<>();

  @Option(
      names = "--days",
      paramLabel = "DAYS",
      defaultValue = "365",
      description = "Validity in days (default: ${DEFAULT-VALUE}).")
  private int days;

  @Option(
      names = "--key-type",
      paramLabel = "TYPE",
      defaultValue = "ec",
      description = "ec (ECDSA P-256) or rsa (RSA 3072) (default: ${DEFAULT-VALUE}).")
  private CertificateGenerator.KeyType keyType;

  @Option(
      names = "--cert-out",
      paramLabel = "FILE",
      defaultValue = "server.crt",
      description = "Where to write the certificate (default: ${DEFAULT-VALUE}).")
  private Path certOut;

  @Option(
      names = "--key-out",
      paramLabel = "FILE",
      defaultValue = "server.key",
      description = "Where to write the private key, owner-only (default: ${DEFAULT-VALUE}).")
  private Path keyOut;

  @Option(names = "--force", description = "Overwrite existing files.")
  private boolean force;

  @Override
  public Integer call() throws Exception {
    if (days < 1 || days > 36_500) {
      throw new ParameterException(
          spec.commandLine(), "--days: must be between 1 and 36500, got " + days);
    }
    String cn = commonName != null ? commonName : hostName();
    List<String> dnsNames = new ArrayList<>();
    List<InetAddress> addresses = new ArrayList<>();
    for (String name : altNames.isEmpty() ? List.of(cn) : altNames) {
      addAltName(name.trim(), dnsNames, addresses);
    }
    refuseOverwrite(certOut);
    refuseOverwrite(keyOut);
    CertificateGenerator.Generated generated =
        CertificateGenerator.selfSigned(cn, dnsNames, addresses, Duration.ofDays(days), keyType);
    generated.writePem(certOut, keyOut);
    String fingerprint = Fingerprints.sha256(generated.certificate());
    PrintWriter out = spec.commandLine().getOut();
    out.println("Wrote " + certOut + " (certificate) and " + keyOut + " (private key)");
    out.println("  subject:     CN=" + cn);
    out.println("  alt names:   " + describe(dnsNames, addresses));
    out.println("  key:         " + keyType.description() + ", valid " + days + " days");
    out.println("  fingerprint: " + fingerprint);
    out.println();
    out.println("Server config:  cert_path = \"" + certOut + "\"  key_path = \"" + keyOut + "\"");
    out.println("Client config:  server_fingerprint = \"" + fingerprint + "\"");
    out.println("  (or copy " + certOut + " to the client and set ca_cert_path)");
    out.flush();
    return 0;
  }

  private void addAltName(String name, List<String> dnsNames, List<InetAddress> addresses)
      throws UnknownHostException {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.startsWith("ip:")) {
      addresses.add(ipAddress(name.substring(3)));
    } else if (lower.startsWith("dns:")) {
      dnsNames.add(dnsName(name.substring(4)));
    } else if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
      addresses.add(ipAddress(name));
    } else {
      dnsNames.add(dnsName(name));
    }
  }

  private InetAddress ipAddress(String text) throws UnknownHostException {
    String s =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!NetUtil.isValidIpV4Address(s) && !NetUtil.isValidIpV6Address(s)) {
      throw new ParameterException(
          spec.commandLine(), "--alt-names: '" + text + "' is not an IP address");
    }
    return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(s));
  }

  private String dnsName(String name) {
    if (!DNS_NAME.matcher(name).matches()) {
      throw new ParameterException(
          spec.commandLine(),
          "--alt-names: '" + name + "' is neither a DNS name nor an IP address");
    }
    return name;
  }

  private void refuseOverwrite(Path file) throws ConfigException {
    if (!force && Files.exists(file)) {
      throw new ConfigException(
          file + " already exists: remove it, choose another file, or add --force to overwrite");
    }
  }

  private static String describe(List<String> dnsNames, List<InetAddress> addresses) {
    List<String> all = new ArrayList<>();
    dnsNames.forEach(n -> all.add("DNS:" + n));
    addresses.forEach(a -> all.add("IP:" + NetUtil.toAddressString(a)));
    return all.isEmpty() ? "(none)" : String.join(", ", all);
  }

  /** This host's name, or {@code localhost} when it is unknown. */
  static String hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() ? "localhost" : name;
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
