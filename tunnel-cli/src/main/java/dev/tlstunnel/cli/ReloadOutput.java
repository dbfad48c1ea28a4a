package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A reload's answer for a terminal: one line with the outcome and message, then one line per change
 * that does something ({@code proxy 'web': restart, publish ... [applied]}).
 */
final class ReloadOutput {
  private ReloadOutput() {}

  static String render(JsonNode result) {
    StringBuilder b = new StringBuilder();
    String outcome = result.path("outcome").asText();
    String message = result.path("message").isNull() ? "" : result.path("message").asText();
    b.append(head(outcome)).append(": ").append(message.replace("\n", "\n  ")).append('\n');
    for (JsonNode c : result.path("changes")) {
      String action = c.path("action").asText();
      if (action.equals("unchanged")) {
        continue;
      }
      String kind = c.path("kind").asText();
      String name = c.path("name").asText();
      b.append("  ")
          .append(kind.equals("setting") ? name : kind + " '" + name + "'")
          .append(": ")
          .append(action);
      if (!c.path("detail").isNull()) {
        b.append(", ").append(c.path("detail").asText());
      }
      b.append(" [").append(c.path("step").asText()).append("]\n");
    }
    return b.toString();
  }

  private static String head(String outcome) {
    return switch (outcome) {
      case "planned" -> "Plan (nothing changed)";
      case "applied" -> "Applied";
      case "unchanged" -> "No change";
      case "refused" -> "Refused, nothing changed";
      case "rolled_back" -> "Rolled back, the previous configuration stays";
      default -> outcome;
    };
  }
}
