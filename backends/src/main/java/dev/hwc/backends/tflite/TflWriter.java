package dev.hwc.backends.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Metadata;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;

/**
 * Serializes a {@link TflModel} as a .tflite flatbuffer with the {@code org.tensorflow.lite.schema}
 * classes: identifier "TFL3", schema version 3, buffer 0 empty (activations point at it), one buffer
 * per constant (16-byte aligned, as TFLite's converter writes them), operators in execution order,
 * one operator code per (builtin, version) with both {@code deprecated_builtin_code} (capped at 127)
 * and {@code builtin_code}, metadata entries as UTF-8 buffers. Deterministic: the same model gives
 * the same bytes.
 */
public final class TflWriter {
  private TflWriter() {}

  public static byte[] write(TflModel m) {
    FlatBufferBuilder b = new FlatBufferBuilder(1 << 20);
    List<Integer> buffers = new ArrayList<>();
    Buffer.startBuffer(b);
    buffers.add(Buffer.endBuffer(b));

    int[] tensors = new int[m.tensors.size()];
    for (int i = 0; i < tensors.length; i++) {
      TflModel.Tensor t = m.tensors.get(i);
      int buffer = 0;
      if (t.data != null) {
        buffers.add(Buffer.createBuffer(b, alignedVector(b, t.data)));
        buffer = buffers.size() - 1;
      }
      int quant = t.quant == null ? 0 : quantization(b, t.quant);
      int shape = Tensor.createShapeVector(b, t.shape);
      int name = b.createString(t.name);
      Tensor.startTensor(b);
      Tensor.addShape(b, shape);
      Tensor.addType(b, t.type);
      Tensor.addBuffer(b, buffer);
      Tensor.addName(b, name);
      if (quant != 0) {
        Tensor.addQuantization(b, quant);
      }
      tensors[i] = Tensor.endTensor(b);
    }

    List<long[]> codes = new ArrayList<>(); // {builtin, version}
    int[] operators = new int[m.ops.size()];
    for (int i = 0; i < operators.length; i++) {
      TflModel.Op op = m.ops.get(i);
      int code = codeIndex(codes, op.builtin(), op.version());
      int options = op.options().type() == 0 ? 0 : op.options().writer().applyAsInt(b);
      int in = Operator.createInputsVector(b, op.inputs());
      int out = Operator.createOutputsVector(b, op.outputs());
      Operator.startOperator(b);
      Operator.addOpcodeIndex(b, code);
      Operator.addInputs(b, in);
      Operator.addOutputs(b, out);
      if (options != 0) {
        Operator.addBuiltinOptionsType(b, op.options().type());
        Operator.addBuiltinOptions(b, options);
      }
      operators[i] = Operator.endOperator(b);
    }
    int[] opcodes = new int[codes.size()];
    for (int i = 0; i < opcodes.length; i++) {
      int builtin = (int) codes.get(i)[0];
      OperatorCode.startOperatorCode(b);
      OperatorCode.addDeprecatedBuiltinCode(b, (byte) Math.min(builtin, 127));
      OperatorCode.addBuiltinCode(b, builtin);
      OperatorCode.addVersion(b, (int) codes.get(i)[1]);
      opcodes[i] = OperatorCode.endOperatorCode(b);
    }

    List<Integer> metadata = new ArrayList<>();
    for (Map.Entry<String, String> e : m.metadata.entrySet()) {
      buffers.add(Buffer.createBuffer(b, alignedVector(b, e.getValue().getBytes(StandardCharsets.UTF_8))));
      metadata.add(Metadata.createMetadata(b, b.createString(e.getKey()), buffers.size() - 1));
    }

    int tensorVec = SubGraph.createTensorsVector(b, tensors);
    int inVec = SubGraph.createInputsVector(b, ints(m.inputs));
    int outVec = SubGraph.createOutputsVector(b, ints(m.outputs));
    int opVec = SubGraph.createOperatorsVector(b, operators);
    int sgName = b.createString("main");
    int subgraph = SubGraph.createSubGraph(b, tensorVec, inVec, outVec, opVec, sgName);
    int codeVec = Model.createOperatorCodesVector(b, opcodes);
    int sgVec = Model.createSubgraphsVector(b, new int[] {subgraph});
    int description = b.createString(m.description);
    int bufVec = Model.createBuffersVector(b, ints(buffers));
    int metaVec = metadata.isEmpty() ? 0 : Model.createMetadataVector(b, ints(metadata));
    Model.startModel(b);
    Model.addVersion(b, 3);
    Model.addOperatorCodes(b, codeVec);
    Model.addSubgraphs(b, sgVec);
    Model.addDescription(b, description);
    Model.addBuffers(b, bufVec);
    if (metaVec != 0) {
      Model.addMetadata(b, metaVec);
    }
    Model.finishModelBuffer(b, Model.endModel(b));
    return b.sizedByteArray();
  }

  private static int quantization(FlatBufferBuilder b, TflModel.Quant q) {
    int scale = QuantizationParameters.createScaleVector(b, q.scale());
    int zp = QuantizationParameters.createZeroPointVector(b, q.zeroPoint());
    QuantizationParameters.startQuantizationParameters(b);
    QuantizationParameters.addScale(b, scale);
    QuantizationParameters.addZeroPoint(b, zp);
    if (q.perAxis()) {
      QuantizationParameters.addQuantizedDimension(b, q.axis());
    }
    return QuantizationParameters.endQuantizationParameters(b);
  }

  private static int codeIndex(List<long[]> codes, int builtin, int version) {
    for (int i = 0; i < codes.size(); i++) {
      if (codes.get(i)[0] == builtin && codes.get(i)[1] == version) {
        return i;
      }
    }
    codes.add(new long[] {builtin, version});
    return codes.size() - 1;
  }

  private static int alignedVector(FlatBufferBuilder b, byte[] data) {
    b.startVector(1, data.length, 16);
    for (int i = data.length - 1; i >= 0; i--) {
      b.addByte(data[i]);
    }
    return b.endVector();
  }

  private static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }
}
