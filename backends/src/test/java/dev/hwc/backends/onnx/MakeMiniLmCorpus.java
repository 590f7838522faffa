package dev.hwc.backends.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the all-MiniLM-L6-v2 calibration and evaluation inputs committed under {@code bench/minilm/}:
 * each line of {@code sentences-calib.txt} (200) and {@code sentences-eval.txt} (100) tokenized with
 * the {@code tokenizer.json} that ships in the model's jar ({@value #TOKENIZER_RESOURCE}), special
 * tokens added, no padding (each sentence keeps its own length), and stored as
 * {@code calib/NNN.npz} / {@code eval/NNN.npz} (line NNN, from 000) with int64 arrays
 * {@code input_ids}, {@code attention_mask} and {@code token_type_ids} of shape [1, n].
 * {@code MakeMiniLmCorpusTest} regenerates the bytes and checks them against the committed files; to
 * rewrite them after editing the sentences, run from the repository root:
 *
 * <pre>mvn -B -pl backends -am test -Dtest=MakeMiniLmCorpusTest -Dsurefire.failIfNoSpecifiedTests=false -Dhwc.regenerate=true</pre>
 */
public final class MakeMiniLmCorpus {
  public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  /** The model's position limit; the tokenizer truncates there (no committed sentence comes near it). */
  public static final int MAX_TOKENS = 128;

  /** One half of the corpus: its sentence file and its folder of .npz files, under bench/minilm/. */
  public record Split(String sentences, String folder, int count) {}

  public static final List<Split> SPLITS = List.of(
      new Split("sentences-calib.txt", "calib", 200),
      new Split("sentences-eval.txt", "eval", 100));

  private MakeMiniLmCorpus() {}

  /** The corpus folder under the repository root. */
  public static Path corpusDir(Path root) {
    return root.resolve("bench/minilm");
  }

  public static List<String> sentences(Path root, Split split) throws IOException {
    return Files.readAllLines(corpusDir(root).resolve(split.sentences()), StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /** The tokenizer from the model jar, without padding; the caller closes it. */
  public static HuggingFaceTokenizer tokenizer() throws IOException {
    Path tmp = Files.createTempFile("minilm-tokenizer", ".json");
    try (InputStream in = MakeMiniLmCorpus.class.getResourceAsStream("/" + TOKENIZER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(TOKENIZER_RESOURCE + " is missing from the classpath");
      }
      Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return HuggingFaceTokenizer.builder()
          .optTokenizerPath(tmp)
          .optAddSpecialTokens(true)
          .optPadding(false)
          .optTruncation(true)
          .optMaxLength(MAX_TOKENS)
          .build();
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** One sentence as the model's three inputs, each int64 [1, n]. */
  public static Map<String, Tensor> encode(HuggingFaceTokenizer tokenizer, String sentence) {
    Encoding enc = tokenizer.encode(sentence);
    long[] shape = {1, enc.getIds().length};
    Map<String, Tensor> arrays = new LinkedHashMap<>();
    arrays.put("input_ids", Tensor.ofLongs(shape, enc.getIds()));
    arrays.put("attention_mask", Tensor.ofLongs(shape, enc.getAttentionMask()));
    arrays.put("token_type_ids", Tensor.ofLongs(shape, enc.getTypeIds()));
    return arrays;
  }

  public static String fileName(int line) {
    return String.format("%03d.npz", line);
  }

  /** Every .npz file of the corpus, as path under bench/minilm/ to bytes. */
  public static Map<String, byte[]> generate(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    Path tmp = Files.createTempFile("minilm-corpus", ".npz");
    try (HuggingFaceTokenizer tokenizer = tokenizer()) {
      for (Split split : SPLITS) {
        List<String> lines = sentences(root, split);
        for (int i = 0; i < lines.size(); i++) {
          Npy.writeNpz(tmp, encode(tokenizer, lines.get(i)));
          files.put(split.folder() + "/" + fileName(i), Files.readAllBytes(tmp));
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return files;
  }

  /** Rewrites the .npz folders from the sentence files (stale .npz files are removed). */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : ".");
    Path dir = corpusDir(root);
    for (Split split : SPLITS) {
      Path folder = dir.resolve(split.folder());
      Files.createDirectories(folder);
      try (var old = Files.list(folder)) {
        for (Path p : old.filter(p -> p.toString().endsWith(".npz")).toList()) {
          Files.delete(p);
        }
      }
    }
    Map<String, byte[]> files = generate(root);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
    System.out.println("wrote " + files.size() + " files under " + dir);
  }
}
