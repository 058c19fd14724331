/**
 * dashboard.js as the Worker sees it: its source text, embedded at build time
 * (esbuild: scripts/build.mjs; wrangler: the Text rule in wrangler.toml). The
 * script itself is checked as browser code by tsconfig.dashboard.json.
 */
declare const source: string;
export default source;
