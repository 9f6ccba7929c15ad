import { GlassboxError, serializeError } from '../../engine/errors';
import type { MessagesSlice, Slice } from '../types';

let nextMessageId = 1;

/** Errors as messages the user reads (at most five kept). */
export const createMessagesSlice: Slice<MessagesSlice> = (set, get) => ({
  messages: [],
  report(e, context) {
    const error = e instanceof GlassboxError ? e.toJSON() : serializeError(e);
    set({ messages: [...get().messages.slice(-4), { ...error, id: nextMessageId++, context }] });
  },
  dismiss(id) {
    set({ messages: get().messages.filter((m) => m.id !== id) });
  },
});
