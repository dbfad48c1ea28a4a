package dev.tlstunnel.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end tests that tunnel to an echo service: a fresh {@link TunnelFixture} and
 * {@link EchoService} per test, both closed afterwards, under the leak-report check.
 */
@ExtendWith(LeakDetectorExtension.class)
public abstract class EchoTunnelTest {
  @TempDir protected Path dir;
  protected TunnelFixture fixture;
  protected EchoService echo;

  @BeforeEach
  void startFixtureAndEcho() throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
  }

  @AfterEach
  void closeFixtureAndEcho() throws Exception {
    fixture.close();
    echo.close();
  }
}
