/** Glassbox's version from package.json, defined by vite.config.ts (recorded in exported result files). */
declare const __GLASSBOX_VERSION__: string;
