package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.server.TunnelServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The command line is built on the library's public API only: {@code jdeps} finds no use of a
 * package the library's module does not export.
 */
@Timeout(60)
class UsesOnlyTheApiTest {
  private static final Pattern DEPENDENCY =
      Pattern.compile("^\\s*dev\\.tlstunnel\\.cli\\s+->\\s+(dev\\.tlstunnel[\\w.]*)\\s");

  @Test
  void everyLibraryPackageTheCommandLineUsesIsExported() throws Exception {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter output = new StringWriter();
    PrintWriter out = new PrintWriter(output);
    int code =
        jdeps.run(out, out, "-verbose:package", "-e", "dev\\.tlstunnel\\..*", location(Main.class));
    out.flush();
    assertThat(code).as(output.toString()).isZero();

    Set<String> used = new TreeSet<>();
    for (String line : output.toString().lines().toList()) {
      Matcher m = DEPENDENCY.matcher(line);
      if (m.find()) {
        used.add(m.group(1));
      }
    }
    ModuleDescriptor core =
        ModuleFinder.of(Path.of(location(TunnelServer.class)))
            .find("dev.tlstunnel.core")
            .orElseThrow()
            .descriptor();
    Set<String> exported = new TreeSet<>();
    core.exports().forEach(e -> exported.add(e.source()));
    // the cluster module's status reader (tunnel-cluster has no internals to hide)
    exported.add("dev.tlstunnel.cluster.etcd");

    assertThat(used).as(output.toString()).contains("dev.tlstunnel.server", "dev.tlstunnel.client");
    assertThat(used).isSubsetOf(exported);
  }

  private static String location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
