#!/usr/bin/env bash
# Regenerate the static protobufjs codec for ONNX from src/engine/onnx/onnx.proto.
# Static code (not reflection) so no `new Function` runs in the page (strict CSP) and unknown fields survive.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/engine/onnx/generated
mkdir -p "$out"
npx pbjs -t static-module -w es6 --es6 --no-verify --no-delimited --no-service --force-number \
  -o "$out/onnx.js" src/engine/onnx/onnx.proto
sed -i 's#import \* as \$protobuf from "protobufjs/minimal";#import \$protobuf from "protobufjs/minimal.js";#' "$out/onnx.js"
npx pbts -o "$out/onnx.d.ts" "$out/onnx.js"
echo "generated $out/onnx.js and onnx.d.ts"
