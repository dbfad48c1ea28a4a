package dev.tlstunnel.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The JSON dialect of the protocol, for every package that speaks it (the control stream, stream
 * headers, the admin API): snake_case names, null fields omitted, unknown fields ignored, no type
 * coercion (a string is not a number), duplicate keys and trailing data rejected, and bounded input
 * (string, name and number lengths, nesting depth, document size).
 *
 * <p>Use {@link #reader()} and {@link #writer()} (immutable, thread-safe) or build a private mapper
 * with {@link #newMapper()}.
 */
public final class ControlJson {
  /** Deepest nesting accepted in a JSON document. */
  public static final int MAX_NESTING_DEPTH = 16;

  /** Longest number accepted, in characters. */
  public static final int MAX_NUMBER_LENGTH = 32;

  /**
   * Longest string the parser accepts, in characters: a margin above {@link
   * Protocol#MAX_STRING_LENGTH}, which decoders then check exactly, naming the field.
   */
  public static final int MAX_PARSED_STRING_LENGTH = 2 * Protocol.MAX_STRING_LENGTH;

  private static final ObjectMapper MAPPER = newMapper();
  private static final ObjectReader READER = MAPPER.reader();
  private static final ObjectWriter WRITER = MAPPER.writer();

  private ControlJson() {}

  /** A new mapper configured with the protocol's dialect; the caller owns it. */
  public static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxStringLength(MAX_PARSED_STRING_LENGTH)
                    .maxNameLength(256)
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxDocumentLength(Protocol.MAX_CONTROL_FRAME)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .withCoercionConfig(
            LogicalType.Textual,
            c ->
                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Integer,
            c ->
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Boolean,
            c ->
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
        .build();
  }

  /** A shared, immutable reader of the protocol's dialect. */
  public static ObjectReader reader() {
    return READER;
  }

  /** A shared, immutable writer of the protocol's dialect. */
  public static ObjectWriter writer() {
    return WRITER;
  }
}
