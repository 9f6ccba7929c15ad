/** The generated ONNX codec, configured once: 64-bit integers decode as JS numbers (shapes, versions). */
import $protobuf from 'protobufjs/minimal.js';
import { onnx } from './generated/onnx.js';

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
// As numbers, int64 values near the top lose precision: INT64_MAX (PyTorch's "slice to the end") decodes as
// 2^63, which would re-encode as INT64_MIN. Saturate instead, so a round trip keeps it.
const LongBits = $protobuf.util.LongBits;
const fromNumber = LongBits.fromNumber;
LongBits.fromNumber = (v: number) => (v >= 2 ** 63 ? new LongBits(0xffffffff, 0x7fffffff) : fromNumber(v));
// Keep fields a newer onnx.proto added, so re-encoding an edited model drops nothing.
$protobuf.Reader.discardUnknown = false;

export { onnx };
export type ModelProto = onnx.ModelProto;
