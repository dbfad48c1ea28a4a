package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code /metrics} text with real Prometheus tools: {@code promtool check metrics} (the
 * Prometheus server's own parser and naming linter, Debian package {@code prometheus}) and the
 * official Python client's parser ({@code python3-prometheus-client}), which gives the samples.
 */
public final class Prometheus {
  private static final String PROMTOOL = "/usr/bin/promtool";
  private static final String PYTHON = "/usr/bin/python3";
  private static final String PARSE =
      """
      import json, sys
      from prometheus_client.parser import text_string_to_metric_families
      for family in text_string_to_metric_families(sys.stdin.read()):
          for s in family.samples:
              print(json.dumps({"family": family.name, "type": family.type, "unit": family.unit,
                                "name": s.name, "labels": s.labels, "value": s.value}))
      """;

  /** One sample as the parser read it. */
  public record Sample(
      String family, String type, String name, Map<String, String> labels, double value) {}

  private Prometheus() {}

  /** Runs {@code promtool check metrics}; fails with its complaints unless it finds none. */
  public static void lint(String text) throws Exception {
    Result r = run(List.of(PROMTOOL, "check", "metrics"), text, "prometheus");
    if (r.code != 0) {
      fail("promtool check metrics exit %d:%n%s", r.code, r.output);
    }
  }

  /** Every sample, parsed by the Python client's parser. */
  public static List<Sample> parse(String text) throws Exception {
    Result r = run(List.of(PYTHON, "-c", PARSE), text, "python3-prometheus-client");
    assertThat(r.code).as("parser output: %s", r.output).isZero();
    ObjectMapper json = new ObjectMapper();
    List<Sample> out = new ArrayList<>();
    for (String line : r.output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = json.readTree(line);
      Map<String, String> labels = new TreeMap<>();
      n.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.add(
          new Sample(
              n.get("family").asText(),
              n.get("type").asText(),
              n.get("name").asText(),
              labels,
              n.get("value").asDouble()));
    }
    return out;
  }

  /** The value of sample {@code name} whose labels include {@code labels}; fails when absent. */
  public static double value(List<Sample> samples, String name, String... labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && has(s, labels))
        .mapToDouble(Sample::value)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError("no sample " + name + " " + List.of(labels) + " in " + samples));
  }

  private static boolean has(Sample s, String... labels) {
    for (int i = 0; i < labels.length; i += 2) {
      if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> command, String stdin, String debianPackage)
      throws Exception {
    if (Files.notExists(Path.of(command.get(0)))) {
      fail(
          "%s is missing: install it with apt-get install -y %s (.ci/run does)",
          command.get(0), debianPackage);
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // it may have exited already; its output says why
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("%s did not finish", command.get(0));
    }
    return new Result(p.exitValue(), output);
  }
}
