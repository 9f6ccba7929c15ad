/**
 * The Content-Security-Policy, in one place: the preview server (vite.config.ts) and the service worker (sw.ts)
 * send CSP as a header on every response; index.html carries CSP_META in a <meta> (without frame-ancestors, which
 * a <meta> cannot set) for a first visit on a host that sends no headers. Checked by tests/browser/csp.test.ts.
 *
 * - script-src 'wasm-unsafe-eval': onnxruntime compiles its .wasm (WebAssembly.instantiate). Nothing else:
 *   onnxruntime-web/webgpu contains one `new Function(...)` (Embind's _emval_create_invoker, used when C++ calls JS
 *   through emscripten::val), but neither the WASM EP nor the native WebGPU EP reached it in any of our runs
 *   (prediction, LIME, Grad-CAM's gradient sessions, comparisons), so no 'unsafe-eval'. Should an onnxruntime
 *   upgrade need it, confine it to worker scripts: a dedicated worker's CSP comes from its own script response
 *   (request.destination === 'worker' in the service worker), not from the page (checked in Chromium).
 * - worker-src 'self': the compute worker and onnxruntime's pthread workers are same-origin scripts, not blob:.
 * - connect-src data:: a dropped HTML report's pictures are decoded with fetch(data:…) (src/ui/drop/open-results.ts).
 * - img-src data: blob:: report pictures; SVG text drawn onto exported PNGs through a blob: <img>.
 * - style-src 'self', no 'unsafe-inline': React's style props go through the CSSOM, which CSP does not restrict;
 *   index.html has no style attributes (src/boot.css).
 */
const DIRECTIVES: [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  ['worker-src', "'self'"],
  ['connect-src', "'self' data:"],
  ['img-src', "'self' data: blob:"],
  ['style-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
];

/** The policy as index.html's <meta> carries it (a <meta> cannot set frame-ancestors). */
export const CSP_META = DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');
/** The policy as a response header. */
export const CSP = `${CSP_META}; frame-ancestors 'none'`;
