package dev.hwc.profiles;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * Reads one limit in its compact YAML forms: a bare kind ({@code sameDilation}) or a one-entry mapping
 * {@code {maxElements: 16000}} ({@code {sameDilation}}, a key without value, also reads as a bare kind).
 * Only the shape is checked here; whether the kind is known and takes a value is checked by the loader's
 * validation, which knows the line of every limit.
 */
final class ConstraintDeserializer extends StdDeserializer<Constraint> {
  private static final long serialVersionUID = 1L;
  static final String FORMS = "a limit is a kind name (sameDilation) or a one-entry mapping {kind: integer}";

  ConstraintDeserializer() {
    super(Constraint.class);
  }

  @Override
  public Constraint deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_STRING) {
      return new Constraint(p.getText(), null);
    }
    if (token != JsonToken.START_OBJECT) {
      return ctxt.reportInputMismatch(this, "%s, got %s", FORMS, YamlSourceMap.describe(p, token));
    }
    if (p.nextToken() != JsonToken.FIELD_NAME) {
      return ctxt.reportInputMismatch(this, "empty mapping: %s", FORMS);
    }
    String kind = p.currentName();
    JsonToken valueToken = p.nextToken();
    Long value;
    if (valueToken == JsonToken.VALUE_NULL) {
      value = null;
    } else if (valueToken == JsonToken.VALUE_NUMBER_INT) {
      value = p.getLongValue();
    } else {
      return ctxt.reportInputMismatch(
          this, "value of '%s' must be an integer, got %s", kind, YamlSourceMap.describe(p, valueToken));
    }
    if (p.nextToken() != JsonToken.END_OBJECT) {
      return ctxt.reportInputMismatch(
          this, "one limit per entry: '%s' and '%s' are in the same mapping; write them as two list items",
          kind, p.currentName());
    }
    return new Constraint(kind, value);
  }
}
