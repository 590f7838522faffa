package dev.hwc.compiler.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.hwc.compiler.frontend.Frontend;
import dev.hwc.compiler.ir.Graph;
import dev.hwc.compiler.ops.OpRegistry;
import dev.hwc.compiler.passes.UpgradeOpset;
import dev.hwc.common.BadInputException;
import dev.hwc.common.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads {@code *.onnx} files into the IR. It only translates: ops keep the semantics of the model's
 * own default-domain opset (Squeeze axes stay an attribute below opset 13, and so on; a model of
 * opset 7 to 10 is raised to 11, the oldest the op rules know, as it is read), Constant
 * nodes become initializers, and every node must be an op the {@link dev.hwc.compiler.ops.OpRegistry}
 * knows. Malformed, truncated or hostile files give a one-line {@link BadInputException}.
 */
public final class OnnxFrontend implements Frontend {
  /**
   * Largest model file read: a protobuf message cannot exceed 2 GiB, so larger weights must live in
   * external data files. The parser's size limit is the file's own size, so a length field that
   * claims more bytes than the file holds is rejected before anything is allocated for it.
   */
  public static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

  /** Graph metadata key for the ModelProto's producer_name (a metadata prop of that name wins). */
  public static final String META_PRODUCER_NAME = "onnx.producer_name";

  /** Graph metadata key for the ModelProto's producer_version. */
  public static final String META_PRODUCER_VERSION = "onnx.producer_version";

  /** Deepest message nesting accepted (graphs nested in attributes count twice per level). */
  static final int MAX_NESTING = 100;

  @Override
  public String id() {
    return "onnx";
  }

  @Override
  public boolean accepts(Path model) {
    Path name = model.getFileName();
    return name != null
        && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx")
        && !Files.isDirectory(model);
  }

  @Override
  public Graph read(Path model) throws IOException {
    ModelProto proto = parse(model);
    Path folder = model.toAbsolutePath().getParent();
    return fromProto(proto, folder, model.toString());
  }

  /**
   * Translates an already parsed model. External data is looked up in {@code folder} (null when
   * the model has no folder: then external data is refused); {@code source} names the model in
   * error messages.
   */
  public static Graph fromProto(ModelProto proto, Path folder, String source) throws IOException {
    Graph g = new OnnxImporter(proto, folder, source).translate();
    // opsets 7..10: the attributes that later became inputs are rewritten now, so every pass sees >= 11
    return g.opset() < OpRegistry.MIN_OPSET ? UpgradeOpset.to(g, OpRegistry.MIN_OPSET) : g;
  }

  /** Parses a model file's protobuf, with one-line errors for empty, huge, truncated or foreign files. */
  public static ModelProto parse(Path model) throws IOException {
    String what = "cannot read ONNX model";
    String problem = SafeFiles.problem(model, Long.MAX_VALUE); // before opening: no FIFO, device or link loop
    if (problem != null) {
      throw new BadInputException(what + " " + SafeFiles.printable(model.toString()) + ": "
          + (problem.startsWith("is a directory") ? "not a file (a directory)" : problem));
    }
    long size = Files.size(model);
    if (size == 0) {
      throw new BadInputException("cannot read ONNX model " + model + ": the file is empty");
    }
    if (size > MAX_MODEL_BYTES) {
      throw new BadInputException(
          "cannot read ONNX model " + model + ": " + size
              + " bytes is over the 2 GiB protobuf limit (keep large weights in external data)");
    }
    ModelProto proto;
    try (InputStream in = SafeFiles.newInputStream(model, what, MAX_MODEL_BYTES)) {
      CodedInputStream cis = CodedInputStream.newInstance(in, 1 << 16);
      cis.setSizeLimit((int) size);
      cis.setRecursionLimit(MAX_NESTING);
      proto = ModelProto.parseFrom(cis);
      cis.checkLastTagWas(0);
    } catch (InvalidProtocolBufferException e) {
      throw new BadInputException(
          "cannot read ONNX model " + model + ": truncated or not an ONNX protobuf ("
              + shortReason(e) + ")");
    }
    if (!proto.hasGraph()) {
      throw new BadInputException(
          "cannot read ONNX model " + model
              + ": truncated or not an ONNX protobuf (the file holds no graph)");
    }
    return proto;
  }

  /** A few words from protobuf's long, multi-sentence messages. */
  static String shortReason(InvalidProtocolBufferException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (m.contains("ended unexpectedly") || m.contains("truncated") || m.contains("too large")
        || m.contains("size limit")) {
      return "a field runs past the end of the file"; // the size limit is the file's size
    } else if (m.contains("negative size")) {
      return "a length field is negative";
    } else if (m.contains("invalid tag") || m.contains("zero tag")) {
      return "invalid field tag";
    } else if (m.contains("wire type")) {
      return "invalid wire type";
    } else if (m.contains("malformed varint")) {
      return "malformed varint";
    } else if (m.contains("recursion") || m.contains("nesting")) {
      return "messages nested too deeply";
    } else if (m.contains("utf-8")) {
      return "a string is not valid UTF-8";
    } else if (m.contains("end-group")) {
      return "unbalanced group tags";
    }
    String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("parse error");
    return first.length() > 80 ? first.substring(0, 80) + "..." : first;
  }
}
