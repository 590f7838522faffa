package dev.hwc.profiles;

/**
 * Memory sizes of the target in bytes; null when unknown or decided at run time.
 *
 * @param onChipParamBytes on-chip memory for caching parameters; parameters beyond it stream from off-chip
 *     memory, slower (Edge TPU: 8 MiB = 8388608)
 * @param deviceBytes memory of the device that runs the artifact
 */
public record Memory(Long onChipParamBytes, Long deviceBytes) {
  public static final Memory UNKNOWN = new Memory(null, null);
}
