package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver by Selenium (no driver is
 * downloaded): pages, the browser console's errors, screenshots.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String DRIVER = "/usr/bin/chromedriver";

  private final ChromeDriver driver;

  public HeadlessChromium(Path profile) {
    for (String[] tool : new String[][] {{CHROMIUM, "chromium"}, {DRIVER, "chromium-driver"}}) {
      if (Files.notExists(Path.of(tool[0]))) {
        fail(
            "%s is missing: install it with apt-get install -y %s (.ci/run does)",
            tool[0], tool[1]);
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--user-data-dir=" + profile,
        "--window-size=1500,1000");
    options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).build();
    driver = new ChromeDriver(service, options);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Console messages of level SEVERE (errors, failed loads) since the last call. */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  /** Saves a screenshot of the page as {@code file}. */
  public void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.copy(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        file,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
