/** The generated ONNX codec, configured once: 64-bit integers decode as JS numbers (shapes, versions). */
import $protobuf from 'protobufjs/minimal.js';
import { onnx } from './generated/onnx.js';

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

export { onnx };
export type ModelProto = onnx.ModelProto;
