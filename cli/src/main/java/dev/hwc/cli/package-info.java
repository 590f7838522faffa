/**
 * The {@code hwc} command line (picocli): each command maps its flags to a request of the library
 * ({@link dev.hwc.build.Compiler}, the harness and lab runners of hwtests) and prints the result as
 * text tables or JSON; {@link dev.hwc.cli.Hwc} maps exceptions to exit codes (bad input 2, a failed
 * check 1, a bug 3). No calibration, plan search, emission or timing logic lives here.
 *
 * <p>May depend on: build (and through it hwtests, backends, compiler, profiles), picocli, Jackson.
 * Nothing depends on it.
 */
package dev.hwc.cli;
