package dev.hwc.backends.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hwc.compiler.data.Npy;
import dev.hwc.compiler.ir.DType;
import dev.hwc.compiler.ir.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The committed MiniLM corpus (bench/minilm/) is what its sentences and the model's tokenizer make. */
class MakeMiniLmCorpusTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void committedNpzFilesMatchTheirGenerator() throws Exception {
    Map<String, byte[]> fresh = MakeMiniLmCorpus.generate(ROOT);
    if (Boolean.getBoolean("hwc.regenerate")) {
      MakeMiniLmCorpus.main(new String[] {ROOT.toString()});
    }
    Path dir = MakeMiniLmCorpus.corpusDir(ROOT);
    Set<String> committed = new TreeSet<>();
    for (MakeMiniLmCorpus.Split split : MakeMiniLmCorpus.SPLITS) {
      Path folder = dir.resolve(split.folder());
      assertTrue(Files.isDirectory(folder), folder + " is missing; regenerate it with -Dhwc.regenerate=true");
      try (var files = Files.list(folder)) {
        files.forEach(p -> committed.add(split.folder() + "/" + p.getFileName()));
      }
    }
    assertEquals(fresh.keySet(), committed, "bench/minilm files; regenerate them with -Dhwc.regenerate=true");
    for (Map.Entry<String, byte[]> f : fresh.entrySet()) {
      assertArrayEquals(f.getValue(), Files.readAllBytes(dir.resolve(f.getKey())),
          "bench/minilm/" + f.getKey() + " differs from its generator; regenerate with -Dhwc.regenerate=true");
    }
  }

  @Test
  void sentencesAreDistinctVariedAndTheSplitsDoNotOverlap() throws Exception {
    Set<String> seen = new HashSet<>();
    for (MakeMiniLmCorpus.Split split : MakeMiniLmCorpus.SPLITS) {
      List<String> lines = MakeMiniLmCorpus.sentences(ROOT, split);
      assertEquals(split.count(), lines.size(), split.sentences());
      int shortest = Integer.MAX_VALUE;
      int longest = 0;
      for (String s : lines) {
        int words = s.trim().split("\\s+").length;
        assertTrue(words >= 5 && words <= 40, split.sentences() + ": " + words + " words in '" + s + "'");
        assertTrue(seen.add(s), "sentence repeated: " + s);
        shortest = Math.min(shortest, words);
        longest = Math.max(longest, words);
      }
      assertTrue(shortest <= 6 && longest >= 35, split.sentences() + " spans " + shortest + ".." + longest + " words");
    }
  }

  @Test
  void everyNpzHoldsOneUnpaddedSentenceAsInt64Arrays() throws Exception {
    Path dir = MakeMiniLmCorpus.corpusDir(ROOT);
    int files = 0;
    int longest = 0;
    for (MakeMiniLmCorpus.Split split : MakeMiniLmCorpus.SPLITS) {
      for (int i = 0; i < split.count(); i++) {
        Map<String, Tensor> a = Npy.readNpz(dir.resolve(split.folder()).resolve(MakeMiniLmCorpus.fileName(i)));
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), List.copyOf(a.keySet()));
        long[] ids = a.get("input_ids").toLongs();
        int n = ids.length;
        for (Tensor t : a.values()) {
          assertEquals(DType.INT64, t.dtype());
          assertArrayEquals(new long[] {1, n}, t.shape());
        }
        assertEquals(101, ids[0], "[CLS] first");
        assertEquals(102, ids[n - 1], "[SEP] last");
        assertTrue(n < MakeMiniLmCorpus.MAX_TOKENS, "not truncated");
        assertEquals(Set.of(1L), java.util.Arrays.stream(a.get("attention_mask").toLongs()).boxed().collect(Collectors.toSet()));
        assertEquals(Set.of(0L), java.util.Arrays.stream(a.get("token_type_ids").toLongs()).boxed().collect(Collectors.toSet()));
        longest = Math.max(longest, n);
        files++;
      }
    }
    System.out.printf("MiniLM corpus: %d sentences, longest %d tokens%n", files, longest);
  }
}
