/**
 * ESLint: the import boundaries of STYLE.md's "house", plus a small set of correctness rules.
 *
 *   engine   src/engine/**        pure TypeScript: no React / zustand / comlink / Node built-ins, no DOM globals,
 *                                 no Math.random; onnxruntime only as `import type` (the module is injected);
 *                                 nothing outside src/engine.
 *   main     src/ui/**, src/store/**, src/main.tsx, src/offline.ts, src/worker-client.ts, src/worker-api.ts
 *                                 the main thread: no onnxruntime at all (not even types); engine internals
 *                                 (grad/, onnx/, runtime/) only as `import type`; never the workers, the CLI or
 *                                 the service worker. src/ui and src/store also don't import comlink as a value:
 *                                 worker-client.ts is the only place the UI talks to workers.
 *   workers  workers/**           only the engine, src/worker-api.ts, other files in workers/, comlink and
 *                                 onnxruntime-web.
 *
 * Type-only imports: an `import type` (or `import { type A }`, `export type … from`, `import('x').T`) is
 * erased from the build, so it may cross a boundary only where it carries a shared contract: the injected
 * onnxruntime module's type in the engine, the engine-internal types (ModelGraphInfo, ClassifierSpec, Backend,
 * GradientLayer, …) that reach the UI through worker-api.ts, and comlink's Remote type. Every other restriction
 * holds for types too — in particular the UI knows nothing about onnxruntime, not even its types.
 *
 * The boundary check is a small local rule (glassbox/import-boundaries, below) rather than a plugin: it resolves
 * a relative specifier with plain path arithmetic against the linted file, so `../../engine/grad/x`,
 * `../grad/x` or `../../../src/engine/grad` all land on the same zone however they are spelled, and it needs no
 * module resolver and no file system — an import of a file that does not exist (yet) is still checked, where
 * resolver-based plugins (eslint-plugin-boundaries, import-x/no-restricted-paths) silently skip anything they
 * cannot resolve. It covers static imports, re-exports, dynamic `import()`, `import x = require()`, `require()`
 * and `import('x')` types.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

// ---------------------------------------------------------------------------------------------------------------
// glassbox/import-boundaries
//
// Options: { zone: string, restrictions: Restriction[] } where a Restriction is
//   { packages: string[], except?: true, allowTypeImports?: true, message: string }
//     package names ('react'; a trailing '*' is a prefix: 'onnxruntime-*'); `except` turns the list into an
//     allow-list (every other package is restricted). Sub-paths count: 'react-dom/client' is 'react-dom'.
//   { paths: string[], except?: true, allowTypeImports?: true, message: string }
//     repo-relative paths; a trailing '/' names a folder (and its index), otherwise a file with or without its
//     extension. A relative (or root-absolute) specifier is resolved against the importing file first.
// ---------------------------------------------------------------------------------------------------------------

const SOURCE_EXTENSION = /\.(?:[cm]?[jt]sx?|json)$/;

/** 'react-dom/client' → 'react-dom', '@scope/pkg/x' → '@scope/pkg', 'node:fs/promises' → 'node:fs'. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function matchesPackage(name, patterns) {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

function matchesPath(rel, patterns) {
  const stem = rel.replace(SOURCE_EXTENSION, '');
  return patterns.some((p) =>
    p.endsWith('/') ? rel === p.slice(0, -1) || rel.startsWith(p) : stem === p.replace(SOURCE_EXTENSION, ''),
  );
}

const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import boundaries between the engine, the UI and the workers (STYLE.md).' },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['zone', 'restrictions'],
        properties: {
          zone: { type: 'string' },
          restrictions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['message'],
              properties: {
                packages: { type: 'array', items: { type: 'string' } },
                paths: { type: 'array', items: { type: 'string' } },
                except: { type: 'boolean' },
                allowTypeImports: { type: 'boolean' },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    ],
    messages: {
      restricted: "{{kind}} '{{specifier}}' is not allowed in {{zone}}: {{message}}{{typeHint}}",
    },
  },
  create(context) {
    const { zone, restrictions } = context.options[0];
    const dir = path.dirname(context.filename);

    /** Returns the restriction an import breaks, or undefined. */
    function violated(specifier, typeOnly) {
      const clean = specifier.split('?')[0];
      const isPath = clean.startsWith('.') || clean.startsWith('/');
      const target = isPath
        ? path.relative(ROOT, clean.startsWith('/') ? path.join(ROOT, clean) : path.resolve(dir, clean)).split(path.sep).join('/')
        : packageName(clean);
      return restrictions.find((r) => {
        if (typeOnly && r.allowTypeImports) return false;
        if (isPath && r.paths) return matchesPath(target, r.paths) !== Boolean(r.except);
        if (!isPath && r.packages) return matchesPackage(target, r.packages) !== Boolean(r.except);
        return false;
      });
    }

    function check(sourceNode, typeOnly, kind) {
      let specifier;
      if (sourceNode?.type === 'Literal' && typeof sourceNode.value === 'string') specifier = sourceNode.value;
      else if (sourceNode?.type === 'TemplateLiteral' && sourceNode.expressions.length === 0) specifier = sourceNode.quasis[0].value.cooked;
      if (specifier === undefined) return; // a computed specifier: nothing to check
      const restriction = violated(specifier, typeOnly);
      if (!restriction) return;
      context.report({
        node: sourceNode,
        messageId: 'restricted',
        data: {
          kind,
          specifier,
          zone,
          message: restriction.message,
          typeHint: restriction.allowTypeImports ? ' (an `import type` is allowed)' : '',
        },
      });
    }

    const allTypeSpecifiers = (node, key) => node.specifiers.length > 0 && node.specifiers.every((s) => s[key] === 'type');
    return {
      ImportDeclaration(node) {
        const typeOnly = node.importKind === 'type' || (allTypeSpecifiers(node, 'importKind') && node.specifiers.every((s) => s.type === 'ImportSpecifier'));
        check(node.source, typeOnly, typeOnly ? 'Type import of' : 'Import of');
      },
      ExportNamedDeclaration(node) {
        if (!node.source) return;
        const typeOnly = node.exportKind === 'type' || allTypeSpecifiers(node, 'exportKind');
        check(node.source, typeOnly, 'Re-export of');
      },
      ExportAllDeclaration(node) {
        check(node.source, node.exportKind === 'type', 'Re-export of');
      },
      ImportExpression(node) {
        check(node.source, false, 'Dynamic import of');
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') check(node.moduleReference.expression, node.importKind === 'type', 'Import of');
      },
      TSImportType(node) {
        check(node.source ?? node.argument?.literal, true, 'Type import of');
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node.arguments[0], false, 'require() of');
      },
    };
  },
};

const glassbox = { meta: { name: 'glassbox' }, rules: { 'import-boundaries': importBoundaries } };

// ---------------------------------------------------------------------------------------------------------------
// The zones
// ---------------------------------------------------------------------------------------------------------------

const NODE_BUILTINS = [...builtinModules.filter((m) => !m.startsWith('_')), 'node:*'];
const ENGINE_INTERNALS = ['src/engine/grad/', 'src/engine/onnx/', 'src/engine/runtime/'];

const engineBoundaries = {
  zone: 'the engine (src/engine)',
  restrictions: [
    {
      packages: ['react', 'react-dom', 'zustand', 'comlink'],
      message: 'the engine knows nothing about React, zustand or comlink (STYLE.md); it runs in workers, the CLI and Node tests.',
    },
    {
      packages: ['onnxruntime-*'],
      allowTypeImports: true,
      message: 'the engine gets the onnxruntime module injected (createOrtRuntime(ort)); it imports only its types.',
    },
    {
      packages: NODE_BUILTINS,
      message: 'the engine also runs in the browser: take bytes and callbacks from the caller instead of Node built-ins.',
    },
    {
      paths: ['src/engine/'],
      except: true,
      message: 'the engine imports nothing outside src/engine: the UI, store, workers and CLI depend on it, never the reverse.',
    },
  ],
};

const mainThreadRestrictions = [
  {
    packages: ['onnxruntime-*'],
    message: 'the UI knows nothing about onnxruntime, not even its types (STYLE.md); models run in the compute worker.',
  },
  {
    paths: ENGINE_INTERNALS,
    allowTypeImports: true,
    message: 'engine internals (grad, onnx, runtime) live in the worker; the UI gets their results through worker-api.ts.',
  },
  {
    paths: ['workers/', 'src/cli/', 'src/sw.ts'],
    message: 'the workers, the CLI and the service worker are separate programs; talk to the compute worker through worker-client.ts.',
  },
];

const uiBoundaries = {
  zone: 'the UI (src/ui, src/store)',
  restrictions: [
    ...mainThreadRestrictions,
    {
      packages: ['comlink'],
      allowTypeImports: true,
      message: 'worker-client.ts is the only place the UI talks to workers (STYLE.md).',
    },
  ],
};

const mainShellBoundaries = { zone: 'the main thread (src/*.ts)', restrictions: mainThreadRestrictions };

const workerBoundaries = {
  zone: 'a worker (workers/)',
  restrictions: [
    {
      packages: ['comlink', 'onnxruntime-web'],
      except: true,
      message: 'workers are thin: they import only the engine, worker-api.ts, comlink and onnxruntime-web.',
    },
    {
      paths: ['src/engine/', 'src/worker-api.ts', 'workers/'],
      except: true,
      message: 'workers import only the engine (src/engine) and the worker API (src/worker-api.ts).',
    },
  ],
};

// DOM (and Node) globals the engine must not touch; tsconfig.engine.json has no DOM lib either, this names the
// reason. Local variables of the same name (slic.ts's `window`) are not globals and pass.
const ENGINE_FORBIDDEN_GLOBALS = [
  'window', 'document', 'navigator', 'self', 'location', 'history', 'localStorage', 'sessionStorage', 'indexedDB',
  'alert', 'confirm', 'prompt', 'fetch', 'XMLHttpRequest', 'WebSocket', 'Worker', 'FileReader', 'Blob', 'File',
  'HTMLElement', 'HTMLCanvasElement', 'HTMLImageElement', 'Image', 'ImageData', 'ImageBitmap', 'OffscreenCanvas',
  'CanvasRenderingContext2D', 'createImageBitmap', 'requestAnimationFrame', 'cancelAnimationFrame',
  'getComputedStyle', 'customElements', 'process', 'Buffer', 'require', '__dirname', '__filename',
].map((name) => ({ name, message: `src/engine is pure TypeScript: no DOM or Node global (${name}); take it from the caller.` }));

const SEEDED = 'every random choice takes a seeded generator passed in explicitly (src/engine/math/rng.ts, STYLE.md).';

export default defineConfig([
  {
    ignores: [
      'dist/**', 'dist-*/**', 'node_modules/**', 'src/engine/onnx/generated/**', 'tests/fixtures/**',
      'scratch/**', 'test-results/**', '.bench/**', 'coverage/**', 'dev-dist/**',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    languageOptions: { parser: tseslint.parser, sourceType: 'module', ecmaVersion: 'latest' },
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}'],
    plugins: { glassbox },
    // A minimal set of correctness rules (no style): bugs that TypeScript itself does not report.
    rules: {
      'no-async-promise-executor': 'error',
      'no-compare-neg-zero': 'error',
      'no-cond-assign': 'error',
      'no-constant-binary-expression': 'error',
      'no-debugger': 'error',
      'no-dupe-else-if': 'error',
      'no-duplicate-case': 'error',
      'no-empty-pattern': 'error',
      'no-fallthrough': 'error',
      'no-loss-of-precision': 'error',
      'no-self-assign': 'error',
      'no-sparse-arrays': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-optional-chaining': 'error',
      'no-unused-labels': 'error',
      'no-useless-backreference': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'glassbox/import-boundaries': ['error', engineBoundaries],
      'no-restricted-globals': ['error', ...ENGINE_FORBIDDEN_GLOBALS],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: `No Math.random in the engine: ${SEEDED}` },
        { object: 'crypto', property: 'getRandomValues', message: `No unseeded randomness in the engine: ${SEEDED}` },
        { object: 'crypto', property: 'randomUUID', message: `No unseeded randomness in the engine: ${SEEDED}` },
        ...['window', 'document', 'navigator', 'self', 'localStorage'].map((property) => ({
          object: 'globalThis',
          property,
          message: `src/engine is pure TypeScript: no DOM global (globalThis.${property}); take it from the caller.`,
        })),
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/store/**/*.{ts,tsx}'],
    rules: { 'glassbox/import-boundaries': ['error', uiBoundaries] },
  },
  {
    files: ['src/*.{ts,tsx}'],
    ignores: ['src/sw.ts'],
    rules: { 'glassbox/import-boundaries': ['error', mainShellBoundaries] },
  },
  {
    files: ['workers/**/*.ts'],
    rules: { 'glassbox/import-boundaries': ['error', workerBoundaries] },
  },
]);
