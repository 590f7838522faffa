package dev.hwc.training;

import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A trainable weight: an IR initializer fed to the TensorFlow graph through a placeholder, in the
 * layout the consuming TensorFlow op wants. The IR tensor (of shape {@code irShape}, first padded
 * with leading 1s to {@code alignedShape} when it broadcasts against a higher-rank value) is
 * permuted by {@code perm} into {@code tfShape}.
 *
 * @param name the IR initializer's name
 * @param irShape its IR shape
 * @param alignedShape irShape with leading 1s added (equal to irShape when no broadcasting)
 * @param perm TensorFlow dim j holds aligned IR dim perm[j]
 * @param tfShape the shape fed to TensorFlow
 * @param placeholder where it is fed
 */
public record Parameter(
    String name, long[] irShape, long[] alignedShape, int[] perm, long[] tfShape, Placeholder<TFloat32> placeholder) {

  /** IR-layout values to TensorFlow layout. */
  public float[] toTf(float[] irValues) {
    return Permute.apply(irValues, alignedShape, perm);
  }

  /** TensorFlow-layout values back to the IR layout. */
  public float[] toIr(float[] tfValues) {
    return Permute.apply(tfValues, tfShape, Permute.inverse(perm));
  }

  public int size() {
    long n = 1;
    for (long d : irShape) {
      n *= d;
    }
    return (int) n;
  }
}
