/**
 * What every hwc module shares and nothing in hwc is below: the bad-input exception that the CLI turns into
 * one line and exit code 2, and (as they are added) the guarded file readers and the output-folder writer.
 * It depends on the JDK only. It lives in the profiles module because that is the lowest module.
 */
package dev.hwc.common;
