/**
 * What hwc's backends share: the {@link dev.hwc.backends.Emitter} (a graph serialized as an
 * artifact, deterministically), the {@link dev.hwc.backends.Runtime} and its sessions (a real
 * runtime that loads an artifact and runs it, found through {@link java.util.ServiceLoader}; one
 * that cannot run here says why instead of faking), and the version written into artifacts.
 *
 * <p>May depend on: compiler, profiles (and dev.hwc.common), the runtimes' Java bindings. Nothing
 * here knows about builds, plans or the command line.
 */
package dev.hwc.backends;
