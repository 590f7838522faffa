package dev.hwc.profiles;

import dev.hwc.common.BadInputException;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.IgnoredPropertyException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds profile YAML to the records with Jackson, strictly: unknown fields, nulls for numbers and flags,
 * strings where numbers belong (and the reverse), floats where integers belong and null list or map entries
 * are all errors. Jackson's exceptions become one-line {@link BadInputException}s naming {@code file:line}
 * and the dotted path of the value.
 */
final class ProfileBinder {
  /** Duplicate keys are caught by {@link YamlSourceMap#scan}, with the line of the first one. */
  static final YAMLFactory FACTORY = YAMLFactory.builder().build();

  private static final YAMLMapper MAPPER = YAMLMapper.builder(FACTORY)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
      .build();

  private ProfileBinder() {}

  static Profile bind(String text, YamlSourceMap source, ProfileError error) {
    try {
      return MAPPER.readValue(text, Profile.class);
    } catch (JsonMappingException e) {
      throw translate(e, source, error);
    } catch (InputCoercionException e) {
      throw error.at(ProfileError.lineOf(e), "",
          "number out of range for " + expected(e.getTargetType()) + ": " + ProfileError.firstLine(e.getOriginalMessage()));
    } catch (StreamReadException e) {
      throw error.syntax(e);
    } catch (JsonProcessingException e) {
      throw error.at(ProfileError.lineOf(e), "", ProfileError.firstLine(e.getOriginalMessage()));
    }
  }

  private static BadInputException translate(JsonMappingException e, YamlSourceMap source, ProfileError error) {
    List<JsonMappingException.Reference> path = e.getPath();
    String pointer = pointer(path);
    String parent = pointer.isEmpty() ? "" : pointer.substring(0, pointer.lastIndexOf('/'));
    int line = source.has(pointer) ? source.line(pointer) : ProfileError.lineOf(e);
    String dotted = YamlSourceMap.dotted(pointer);
    if (e instanceof IgnoredPropertyException i) {
      return error.at(line, "", "field '" + i.getPropertyName() + "' is set by the loader (where the profile came from), "
          + "not by the file; remove it");
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return unknownField(error, line, parent, u.getPropertyName(), known(u.getKnownPropertyIds()));
    }
    if (e instanceof InvalidNullException) {
      return error.at(line, dotted, "empty entry (null); give a value or remove it");
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()
        && f.getValue() instanceof String value) {
      return vocabulary(error, line, dotted, value, f.getTargetType());
    }
    if (e instanceof MismatchedInputException m) {
      if (m.getTargetType() == Constraint.class) {
        return error.at(line, dotted, ProfileError.firstLine(m.getOriginalMessage()));
      }
      if (!source.has(pointer) && source.has(parent) && path.get(path.size() - 1).getFieldName() != null) {
        return missingField(error, source, path, parent, m.getTargetType());
      }
      return error.at(line, dotted, "expected " + expected(m.getTargetType()) + ", got " + source.found(pointer));
    }
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      return error.at(line, dotted, "bad value: " + ProfileError.firstLine(e.getCause().getMessage()));
    }
    return error.at(line, dotted, ProfileError.firstLine(e.getOriginalMessage()));
  }

  /** A name outside a fixed vocabulary (an enum such as {@link ArtifactFormat} or {@link PartitionMode}). */
  private static BadInputException vocabulary(ProfileError error, int line, String dotted, String value, Class<?> type) {
    if (value.isBlank()) {
      String field = dotted.contains(".") ? dotted.substring(dotted.lastIndexOf('.') + 1) : dotted;
      String parent = dotted.contains(".") ? dotted.substring(0, dotted.lastIndexOf('.')) + ": " : "";
      return error.at(line, "", parent + "'" + field + "' is empty (expected one of " + String.join(", ", ids(type)) + ")");
    }
    List<String> allowed = ids(type);
    String hint = Names.closest(value, allowed).filter(n -> !n.equals(value)).map(n -> "; did you mean '" + n + "'?")
        .orElse("");
    return error.at(line, "", dotted + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'" + hint);
  }

  /** The names of an enum's constants as profile files spell them (their toString). */
  private static List<String> ids(Class<?> type) {
    return Arrays.stream(type.getEnumConstants()).map(String::valueOf).toList();
  }

  /**
   * A number or flag left out of a mapping: Jackson reads it as null, which FAIL_ON_NULL_FOR_PRIMITIVES rejects.
   * Jackson holds back the unknown keys of a record until the record is built, so a misspelt key surfaces here
   * as the missing field it was meant to be: then the misspelling is reported instead.
   */
  private static BadInputException missingField(ProfileError error, YamlSourceMap source,
      List<JsonMappingException.Reference> path, String parent, Class<?> type) {
    List<String> known = recordFields(path.subList(0, path.size() - 1));
    for (String key : source.keys(parent)) {
      if (!known.isEmpty() && !known.contains(key)) {
        return unknownField(error, source.line(parent + "/" + YamlSourceMap.escape(key)), parent, key, known);
      }
    }
    String field = path.get(path.size() - 1).getFieldName();
    return error.at(source.line(parent), YamlSourceMap.dotted(parent),
        "missing required field '" + field + "' (" + expected(type) + ")");
  }

  private static BadInputException unknownField(ProfileError error, int line, String parent, String key, List<String> known) {
    String hint = Names.closest(key, known).map(n -> "; did you mean '" + n + "'?").orElse("");
    return error.at(line, YamlSourceMap.dotted(parent),
        "unknown field '" + key + "'" + hint + " (expected one of: " + String.join(", ", known) + ")");
  }

  /** The field names Jackson knows for a record, minus the ones a file may not set. */
  private static List<String> known(Collection<Object> ids) {
    return ids == null ? List.of() : ids.stream().map(String::valueOf).filter(n -> !n.equals("source")).sorted().toList();
  }

  /** The component names of the record type found at {@code path} from {@link Profile}, sorted; empty if not a record. */
  static List<String> recordFields(List<JsonMappingException.Reference> path) {
    Type type = Profile.class;
    for (JsonMappingException.Reference ref : path) {
      Class<?> raw = raw(type);
      if (raw.isRecord() && ref.getFieldName() != null) {
        type = Arrays.stream(raw.getRecordComponents()).filter(c -> c.getName().equals(ref.getFieldName()))
            .map(RecordComponent::getGenericType).findFirst().orElse(Object.class);
      } else if (Map.class.isAssignableFrom(raw) || List.class.isAssignableFrom(raw)) {
        Type[] args = type instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[] {Object.class};
        type = args[args.length - 1];
      } else {
        return List.of();
      }
    }
    Class<?> raw = raw(type);
    return raw.isRecord()
        ? Arrays.stream(raw.getRecordComponents()).map(RecordComponent::getName).filter(n -> !n.equals("source")).sorted().toList()
        : List.of();
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    return type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c ? c : Object.class;
  }

  static String pointer(List<JsonMappingException.Reference> path) {
    return path.stream()
        .map(r -> r.getFieldName() != null ? YamlSourceMap.escape(r.getFieldName()) : String.valueOf(r.getIndex()))
        .map(s -> "/" + s)
        .collect(Collectors.joining());
  }

  /** What a value of the target type looks like, for "expected X, got Y". */
  static String expected(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class || type.isEnum()) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping";
    }
    return "a " + type.getSimpleName();
  }
}
