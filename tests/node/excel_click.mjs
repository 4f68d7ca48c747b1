// Click fourgood's "4 Tốt" buttons in an Excel made of office-addin-mock objects (excel_mock.mjs):
// the task pane's scripts are loaded as Excel loads them — xlwings Server's installed client
// (static/js/custom-scripts/index.js and the modules it imports), fourgood's auth.js, main.js and
// ribbon.js — and the button's function runs the whole way: the scripts' metadata from the server,
// getBookData on the mocked workbook, the POST to the running server, the actions dispatched.
//
//   node --experimental-detect-module excel_click.mjs job.json result.json
// job: {server, xlwings_js, fourgood_js, workbook (excel_mock seed), sets, token,
//       steps: [{click: "fourgood-check"} | {edit: {sheet, cell, value}}]}
// result: {steps: [{alerts, requests, workbook (snapshot)}]}
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

import { Workbook, installOffice, parseAddress } from "./excel_mock.mjs";

const [jobPath, outPath] = process.argv.slice(2);
const job = JSON.parse(readFileSync(jobPath, "utf8"));
const record = { alerts: [], requests: [] };
const book = new Workbook(job.workbook);

// ---- the browser around the task pane -----------------------------------------------------------
const page = await (await fetch(`${job.server}/taskpane.html`)).text();
const configJson = /<script id="config" type="application\/json">([\s\S]*?)<\/script>/.exec(page);
if (!configJson) throw new Error("the task pane has no <script id=\"config\">");
const storage = new Map(job.token ? [["fourgood-token", job.token]] : []);
Object.assign(globalThis, {
  window: { location: { origin: job.server } },
  navigator: { userAgent: "Mozilla/5.0 (Windows NT 10.0) office-addin-mock" },
  localStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, String(v)) },
  sessionStorage: { getItem: () => null, setItem: () => {} },
  document: {
    readyState: "complete",
    getElementById: (id) => (id === "config" ? { textContent: configJson[1] } : null),
    querySelector: () => null,
    querySelectorAll: () => [],
    addEventListener: () => {},
  },
});
const nodeFetch = globalThis.fetch;
globalThis.fetch = (url, options) => nodeFetch(new URL(url, job.server), options);  // relative to the page
globalThis.XMLHttpRequest = class {  // utils.js's request() is XHR-based; this one rides on fetch
  open(method, url) {
    this.method = method;
    this.url = new URL(url, job.server).href;
    this.headers = {};
  }
  setRequestHeader(key, value) { this.headers[key] = value; }
  getResponseHeader(key) { return this.response?.headers.get(key) ?? null; }
  send(body) {
    record.requests.push({ method: this.method, url: this.url, headers: { ...this.headers }, body: body ? JSON.parse(body) : null });
    nodeFetch(this.url, { method: this.method, headers: this.headers, body })
      .then(async (response) => {
        this.response = response;
        this.status = response.status;
        this.statusText = response.statusText;
        this.responseText = await response.text();
        this.onload();
      }, () => this.onerror());
  }
};
const associated = installOffice(book, job.sets, record);

// ---- the scripts, in base.html's order ------------------------------------------------------------
const classic = (file) => vm.runInThisContext(readFileSync(file, "utf8"), { filename: file });
await import(pathToFileURL(path.join(job.xlwings_js, "custom-scripts", "index.js")).href);
classic(path.join(job.fourgood_js, "auth.js"));
await import(pathToFileURL(path.join(job.fourgood_js, "main.js")).href);
classic(path.join(job.fourgood_js, "ribbon.js"));

// ---- the steps --------------------------------------------------------------------------------
const steps = [];
for (const step of job.steps) {
  if (step.edit) {  // staff type in a cell between two clicks
    const sheet = book.sheet(step.edit.sheet);
    const { r0, c0 } = parseAddress(step.edit.cell);
    book.cell(sheet, r0, c0, true).v = step.edit.value;
    continue;
  }
  record.alerts = [];
  record.requests = [];
  const handler = associated[step.click];
  if (!handler) throw new Error(`no function is associated with ${step.click}`);
  let completed = false;
  await handler({ completed: () => { completed = true; } });
  steps.push({ click: step.click, completed, alerts: record.alerts, requests: record.requests, workbook: book.snapshot() });
}
writeFileSync(outPath, JSON.stringify({ steps }));
