/**
 * Model files as dropped or picked: the other files of the drop reach the worker as possible external data (and are
 * given again when the worker is rebuilt); a file over the page's model limit is refused before any byte is read,
 * until the user presses "Load anyway".
 */
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../src/store/app-store';
import { PAGE_LIMITS, type ComputeApi, type ExternalDataFile } from '../../../src/worker-api';
import { assets, fakeCompute, settle, storage } from '../../helpers/store-fakes';

/** A File whose bytes must not be read: its size is all a limit check may look at. */
function sizedFile(name: string, sizeBytes: number, onRead: () => void): File {
  const file = new File([new Uint8Array(4)], name);
  Object.defineProperty(file, 'size', { value: sizeBytes });
  file.arrayBuffer = async () => {
    onRead();
    return new ArrayBuffer(4);
  };
  return file;
}

function setup() {
  const loads: { name: string; bytes: number; externalData?: ExternalDataFile[] }[] = [];
  const base = fakeCompute();
  const compute: ComputeApi = {
    ...base,
    loadModel: async (bytes, name, backend, externalData) => {
      loads.push({ name, bytes: bytes.byteLength, externalData });
      return base.loadModel(bytes, name, backend, externalData);
    },
  };
  let restarts = 0;
  const store = createAppStore({ compute: () => compute, restartCompute: () => void restarts++, assets, storage: storage() });
  return { store, loads, restarts: () => restarts };
}

describe('opening model files', () => {
  it('the other files of a drop go to the worker with the model, and again after a worker restart', async () => {
    const { store, loads } = setup();
    const model = new File([new Uint8Array(7)], 'resnet.onnx');
    const data = new File([new Uint8Array(3)], 'resnet.onnx.data');
    await store.getState().openModelFiles(model, [data]);
    expect(loads).toEqual([{ name: 'resnet.onnx', bytes: 7, externalData: [{ name: 'resnet.onnx.data', file: data }] }]);
    expect(store.getState().model?.name).toBe('resnet.onnx');
    await store.getState().setRuntime({ threads: 1 });
    expect(loads[1]).toEqual(loads[0]);
  });

  it('a model over the limit is refused by its size, unread, with a message; "Load anyway" loads it', async () => {
    const { store, loads } = setup();
    let reads = 0;
    const huge = sizedFile('huge.onnx', 2 * 1024 ** 3, () => reads++);
    await store.getState().openModelFiles(huge);
    expect(reads).toBe(0);
    expect(loads).toEqual([]);
    expect(store.getState().oversizeModel).toEqual({ name: 'huge.onnx', sizeBytes: 2 * 1024 ** 3, limitMb: PAGE_LIMITS.modelMb });
    const message = store.getState().messages.at(-1)!;
    expect(message.code).toBe('MODEL_UNREADABLE');
    expect(`${message.context} failed. ${message.message}`).toBe(`Loading model huge.onnx failed. huge.onnx is 2048 MB, over the ${PAGE_LIMITS.modelMb} MB model limit of this page.`);
    expect(message.hint).toMatch(/Load anyway/);
    await store.getState().loadOversizeModel();
    await settle();
    expect(reads).toBe(1);
    expect(loads.map((l) => l.name)).toEqual(['huge.onnx']);
    expect(store.getState().oversizeModel).toBeUndefined();
  });

  it('the files dropped beside a model count towards the limit; Cancel forgets them', async () => {
    const { store, loads } = setup();
    let reads = 0;
    const model = sizedFile('big.onnx', 1024, () => reads++);
    const data = sizedFile('big.onnx.data', PAGE_LIMITS.modelMb * 1024 * 1024, () => reads++);
    await store.getState().openModelFiles(model, [data]);
    expect(reads).toBe(0);
    expect(store.getState().messages.at(-1)!.message).toMatch(/^big\.onnx with the files given beside it is \d+ MB, over the/);
    store.getState().dismissOversizeModel();
    expect(store.getState().oversizeModel).toBeUndefined();
    await store.getState().loadOversizeModel();
    expect(loads).toEqual([]);
  });
});
