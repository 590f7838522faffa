package dev.hwc.compiler.passes;

import dev.hwc.compiler.ir.Graph;
import java.util.ArrayList;
import java.util.List;

/** Collects a {@link PassRecord} per pass run, in order, for the build report. */
public final class PassRecorder implements PassInstrument {
  private final List<PassRecord> records = new ArrayList<>();

  @Override
  public void afterPass(PassInfo info, Graph before, Graph after, long nanos) {
    records.add(new PassRecord(info.name(), before.nodes().size(), after.nodes().size(), nanos / 1e6));
  }

  /** The records so far, oldest first (a copy). */
  public List<PassRecord> records() {
    return List.copyOf(records);
  }
}
