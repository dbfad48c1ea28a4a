package dev.tlstunnel.cli;

import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Whether a certificate's subject alternative names include a host name or an IP address. */
final class CertificateNames {
  private static final int DNS = 2;
  private static final int IP = 7;

  private CertificateNames() {}

  static boolean names(X509Certificate certificate, String host) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (names == null) {
      return false;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(h);
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      String value = String.valueOf(name.get(1));
      if (ip != null && type == IP) {
        if (Arrays.equals(ip, NetUtil.createByteArrayFromIpAddressString(value))) {
          return true;
        }
      } else if (ip == null
          && type == DNS
          && value.toLowerCase(Locale.ROOT).equals(h.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
