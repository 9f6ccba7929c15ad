import { useApp } from '../store-context';
import type { BackendChoice } from '../../worker-api';

/** Which backend and how many threads run the model, with switches. */
export function RuntimeBar() {
  const env = useApp((s) => s.env);
  const runtime = useApp((s) => s.runtime);
  const model = useApp((s) => s.model);
  const setRuntime = useApp((s) => s.setRuntime);
  const maxThreads = env ? (env.crossOriginIsolated ? Math.max(1, env.hardwareConcurrency) : 1) : 1;
  const active = model?.backend;
  return (
    <div className="runtime-bar" data-testid="runtime-bar">
      <span className={`badge ${active ?? 'none'}`} data-testid="backend-badge" title={model?.backendNote ?? ''}>
        {active ? active.toUpperCase() : 'no model'}
      </span>
      {active === 'wasm' && env && (
        <span className="badge subtle" data-testid="threads-badge">
          {env.wasmThreads} thread{env.wasmThreads === 1 ? '' : 's'}
        </span>
      )}
      {env && !env.crossOriginIsolated && <span className="badge warn" title="The page is not cross-origin isolated, so WASM runs single-threaded. Reload once the offline cache is installed.">not isolated</span>}
      <label>
        Backend
        <select aria-label="Backend" value={runtime.backend} onChange={(e) => void setRuntime({ backend: e.target.value as BackendChoice })}>
          <option value="auto">auto</option>
          <option value="webgpu" disabled={env ? !env.webgpu.available : false}>
            WebGPU{env?.webgpu.available ? (env.webgpu.isFallbackAdapter ? ' (software)' : '') : ' (unavailable)'}
          </option>
          <option value="wasm">WASM</option>
        </select>
      </label>
      <label>
        Threads
        <select aria-label="Threads" value={runtime.threads} disabled={maxThreads <= 1} onChange={(e) => void setRuntime({ threads: Number(e.target.value) })}>
          <option value={0}>auto</option>
          {Array.from({ length: maxThreads }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {model?.backendNote && (
        <span className="note" title={model.backendNote}>
          {model.backendNote}
        </span>
      )}
    </div>
  );
}
