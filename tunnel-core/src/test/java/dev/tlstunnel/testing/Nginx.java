package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real nginx running the {@code server} block that README.md shows, with only its port,
 * certificate and upstream address replaced by the test's.
 */
public final class Nginx {
  private Nginx() {}

  /** The README's nginx snippet, as shown there. */
  public static String readmeSnippet() throws IOException {
    Path readme = Path.of("..", "README.md");
    Matcher m =
        Pattern.compile("```nginx\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(readme, StandardCharsets.UTF_8));
    assertThat(m.find()).as("README.md has an ```nginx block").isTrue();
    return m.group(1);
  }

  /**
   * The README snippet listening on {@code port} with the test's certificate and the tunnel server
   * at {@code upstreamPort}; each replaced line must be in the snippet exactly once.
   */
  public static String serverBlock(int port, TestPki.CertFiles pki, int upstreamPort, boolean http2)
      throws IOException {
    String s = readmeSnippet();
    s =
        replaceOnce(
            s,
            "listen 443 ssl;",
            "listen 127.0.0.1:" + port + " ssl" + (http2 ? " http2" : "") + ";");
    s = replaceOnce(s, "/etc/ssl/certs/tunnel.example.com.pem", pki.cert().toString());
    s = replaceOnce(s, "/etc/ssl/private/tunnel.example.com.key", pki.key().toString());
    return replaceOnce(s, "http://127.0.0.1:7000;", "http://127.0.0.1:" + upstreamPort + ";");
  }

  private static String replaceOnce(String text, String what, String with) {
    int at = text.indexOf(what);
    assertThat(at).as("README nginx snippet contains '%s'", what).isNotNegative();
    assertThat(text.indexOf(what, at + 1)).as("'%s' appears once", what).isNegative();
    return text.replace(what, with);
  }

  /** Starts nginx in the foreground with {@code serverBlock} as its only server. */
  public static RealProcess start(Path dir, String serverBlock, int port) throws IOException {
    Files.createDirectories(dir);
    String conf =
        """
        user root;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log info;
        events { worker_connections 512; }
        http {
          access_log %1$s/access.log;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
        %2$s
        }
        """
            .formatted(dir, serverBlock);
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    return RealProcess.start(
        "nginx-light",
        List.of(
            "/usr/sbin/nginx", "-p", dir.toString(), "-c", file.toString(), "-g", "daemon off;"),
        dir.resolve("nginx.out"),
        port);
  }
}
