/** Stylesheets are imported as their text, embedded at build time (see dashboard.d.ts). */
declare module '*.css' {
  const source: string;
  export default source;
}
