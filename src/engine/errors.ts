/**
 * Errors are values the UI and the CLI can show: a stable code, a message a data scientist understands (what is
 * wrong, in plain words), a hint (what to do) and, apart from both, the technical detail (parser or runtime text)
 * for whoever wants it — the UI folds it away, the CLI prints it after the message.
 */
export type ErrorCode =
  | 'MODEL_EMPTY'
  | 'MODEL_UNREADABLE'
  | 'MODEL_NOT_ONNX'
  | 'MODEL_UNSUPPORTED_OP'
  | 'MODEL_UNSUPPORTED'
  | 'GRADIENT_UNSUPPORTED'
  | 'MODEL_NO_INPUT'
  | 'MODEL_MULTIPLE_INPUTS'
  | 'MODEL_INPUT_DTYPE'
  | 'MODEL_INPUT_NOT_IMAGE'
  | 'MODEL_OUTPUT_NOT_SCORES'
  | 'MODEL_LOAD_FAILED'
  | 'IMAGE_EMPTY'
  | 'IMAGE_UNREADABLE'
  | 'IMAGE_UNSUPPORTED'
  | 'LABELS_INVALID'
  | 'FILE_UNSUPPORTED'
  | 'PARAM_INVALID'
  | 'NO_MODEL'
  | 'NO_IMAGE'
  | 'INFERENCE_FAILED'
  | 'BACKEND_UNAVAILABLE'
  | 'CANCELLED';

export class GlassboxError extends Error {
  override readonly name = 'GlassboxError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    /** Parser or runtime text behind the message: for a bug report, not for the first line. */
    readonly detail?: string,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, hint: this.hint, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export interface SerializedError {
  code: ErrorCode | 'INTERNAL';
  message: string;
  hint?: string;
  detail?: string;
}

export function isGlassboxError(e: unknown): e is GlassboxError {
  return e instanceof GlassboxError;
}

/** Any thrown value as a plain serialisable error; unknown failures keep their text under code INTERNAL. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof GlassboxError) return e.toJSON();
  if (e && typeof e === 'object' && 'code' in e && 'message' in e && typeof (e as SerializedError).message === 'string') {
    const s = e as SerializedError;
    return { code: s.code, message: s.message, hint: s.hint, ...(typeof s.detail === 'string' && s.detail ? { detail: s.detail } : {}) };
  }
  // an unexpected failure: its own text (a runtime's, a library's) goes to the detail, never the first line
  const text = e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e);
  return {
    code: 'INTERNAL',
    message: 'Glassbox stopped on an unexpected error.',
    hint: 'This looks like a bug in Glassbox; please report it with the model, the image and the detail below.',
    ...(text ? { detail: text } : {}),
  };
}
