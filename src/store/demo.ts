/** The built-in demo: models and images under public/demo, described by manifest.json. */
export interface DemoManifest {
  models: { file: string; name: string; description: string }[];
  images: { file: string; mask?: string; label: string; classIndex: number; watermark?: { x: number; y: number; w: number; h: number } | null }[];
  defaultModel: string;
  defaultImage: string;
}

export interface AssetFetcher {
  json<T>(path: string): Promise<T>;
  bytes(path: string): Promise<Uint8Array>;
  blob(path: string): Promise<Blob>;
}

export function createAssetFetcher(base: string): AssetFetcher {
  const get = async (path: string) => {
    const response = await fetch(new URL(path, base));
    // Single-page hosts answer a missing file with index.html: treat that as missing too.
    if (!response.ok || (response.headers.get('content-type') ?? '').includes('text/html')) {
      throw new Error(`The demo file ${path} is missing from this build (HTTP ${response.status}).`);
    }
    return response;
  };
  return {
    json: async <T>(path: string) => (await (await get(path)).json()) as T,
    bytes: async (path) => new Uint8Array(await (await get(path)).arrayBuffer()),
    blob: async (path) => (await get(path)).blob(),
  };
}
