#!/usr/bin/env bash
# Regenerates one generated tree from spec/kms.yaml. Called by the nx `generate` targets (and the spec-drift test).
#   tools/scripts/generate.sh <client|server> <output dir> [spec file, default spec/kms.yaml]
# (The spec argument exists for the server's spec-drift test, which generates from a mutated copy.)
# The client uses the stock typescript-fetch templates plus the overrides in tools/templates/client;
# the server uses our own templates in tools/templates/server (typed handler signatures and the
# route table), on top of the same generator's model data.
set -euo pipefail
kind="$1"
out="$2"
spec="$(realpath "${3:-$(dirname "$0")/../../spec/kms.yaml}")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v java >/dev/null || { echo "generate: Java (17+) is required by openapi-generator; install openjdk-17-jre-headless (.ci/run does this when Java is missing)" >&2; exit 1; }
rm -rf "$out"
node_modules/.bin/openapi-generator generate \
  --input-spec "$spec" \
  --generator-name typescript-fetch \
  --template-dir "tools/templates/$kind" \
  --output "$out" \
  --additional-properties=typescriptThreePlus=true,supportsES6=true,modelPropertyNaming=original,enumPropertyNaming=original,paramNaming=camelCase \
  > "$out.log" 2>&1 || { cat "$out.log" >&2; rm -f "$out.log"; exit 1; }
rm -f "$out.log"
# Generator bookkeeping is not part of the package.
rm -rf "$out/.openapi-generator" "$out/.openapi-generator-ignore"
echo "generated $kind -> $out"
