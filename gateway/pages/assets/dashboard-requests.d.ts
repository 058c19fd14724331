/** dashboard-requests.js as the Worker sees it: its source text (see dashboard.d.ts). */
declare const source: string;
export default source;
