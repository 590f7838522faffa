package dev.hwc.hwtests;

/** IoU per class between two class maps, pooled over everything added: sum |A ∩ B| / sum |A ∪ B|. */
public final class ClassIoU {
  private final long[] inter;
  private final long[] union;

  public ClassIoU(int classes) {
    inter = new long[classes];
    union = new long[classes];
  }

  public void add(byte[] predicted, byte[] truth) {
    if (predicted.length != truth.length) {
      throw new IllegalArgumentException("class maps of " + predicted.length + " and " + truth.length + " pixels");
    }
    for (int i = 0; i < predicted.length; i++) {
      int p = predicted[i];
      int t = truth[i];
      if (p == t) {
        inter[p]++;
        union[p]++;
      } else {
        union[p]++;
        union[t]++;
      }
    }
  }

  /** IoU of class c (1 when neither map ever has it). */
  public double iou(int c) {
    return union[c] == 0 ? 1 : (double) inter[c] / union[c];
  }

  public int classes() {
    return inter.length;
  }
}
