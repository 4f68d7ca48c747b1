// An Excel workbook in memory, shaped like the part of Office.js's Excel object model that xlwings
// Server's client (getBookData and the action callbacks) and fourgood's callbacks reach. Every
// object handed to that code is an office-addin-mock OfficeMockObject (Microsoft's mock), so
// properties must be loaded and synced before they are read, as in Excel: reading one that was not
// raises, instead of the mock's error string. What the mock does not model, this file adds:
// collections (`items`), writes that reach the workbook, and Excel's refusals (a change to a
// protected sheet, a note where one exists, a duplicate sheet name) raised at the next sync.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { OfficeMockObject } = require("office-addin-mock");
const NOT_READY = new Set(["Error, property was not loaded", "Error, context.sync() was not called"]);

// ---- addresses ------------------------------------------------------------------------------
export function columnName(c) {
  let s = "";
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function columnIndex(letters) {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

export function cellAddress(r, c) {
  return `${columnName(c)}${r + 1}`;
}

// "A1", "$D$9", "A1:B2", "A:A", "C:E", "Sheet!A1" -> {r0, c0, r1, c1}, 0-based and inclusive
export function parseAddress(address) {
  const bare = String(address).split("!").pop().replace(/\$/g, "");
  const [first, last = first] = bare.split(":");
  const part = (text) => {
    const m = /^([A-Za-z]*)(\d*)$/.exec(text);
    if (!m) throw new Error(`mock: cannot read the address ${address}`);
    return { c: m[1] ? columnIndex(m[1]) : null, r: m[2] ? Number(m[2]) - 1 : null };
  };
  const a = part(first);
  const b = part(last);
  return { r0: a.r ?? 0, c0: a.c ?? 0, r1: b.r ?? 1048575, c1: b.c ?? 16383 };
}

function rectAddress({ r0, c0, r1, c1 }) {
  const first = cellAddress(r0, c0);
  return r0 === r1 && c0 === c1 ? first : `${first}:${cellAddress(r1, c1)}`;
}

function quoteSheet(name) {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

// ---- the workbook's state ---------------------------------------------------------------------
const DEFAULT_OPTIONS = {
  allowAutoFilter: false, allowDeleteColumns: false, allowDeleteRows: false, allowEditObjects: false,
  allowEditScenarios: false, allowFormatCells: false, allowFormatColumns: false, allowFormatRows: false,
  allowInsertColumns: false, allowInsertHyperlinks: false, allowInsertRows: false, allowPivotTables: false,
  allowSort: false, selectionMode: "Normal",
};
export const PROTECTION_OPTIONS = Object.keys(DEFAULT_OPTIONS);

export class Workbook {
  // seed: {name, active, sheets: [{name, visibility, protection: {protected, options},
  //        cells: [[row, col, {v, nf, fill, locked}]], notes: {A1: text}}], names: [{name, formula}]}
  constructor(seed) {
    this.name = seed.name;
    this.nextId = 1;
    this.sheets = seed.sheets.map((s) => this.newSheet(s));
    this.active = this.sheets[seed.active ?? 0];
    this.names = seed.names || [];
  }

  newSheet(s) {
    const sheet = {
      id: `{mock-${this.nextId++}}`, name: s.name, visibility: s.visibility || "Visible",
      protection: { protected: Boolean(s.protection?.protected), options: { ...DEFAULT_OPTIONS, ...(s.protection?.options || {}) } },
      cells: new Map(), notes: new Map(Object.entries(s.notes || {})), widths: new Map(),
    };
    for (const [r, c, cell] of s.cells || []) sheet.cells.set(`${r},${c}`, { v: "", nf: "General", fill: null, locked: true, font: {}, ...cell });
    return sheet;
  }

  sheet(name) {
    return this.sheets.find((s) => s.name === name) || null;
  }

  cell(sheet, r, c, create = false) {
    const key = `${r},${c}`;
    let cell = sheet.cells.get(key);
    if (!cell && create) {
      cell = { v: "", nf: "General", fill: null, locked: true, font: {} };
      sheet.cells.set(key, cell);
    }
    return cell || null;
  }

  usedRange(sheet, valuesOnly) {
    let box = null;
    for (const [key, cell] of sheet.cells) {
      if (valuesOnly ? cell.v === "" || cell.v === null : cell.v === "" && !cell.fill && cell.nf === "General") continue;
      const [r, c] = key.split(",").map(Number);
      box = box ? { r0: Math.min(box.r0, r), c0: Math.min(box.c0, c), r1: Math.max(box.r1, r), c1: Math.max(box.c1, c) }
        : { r0: r, c0: c, r1: r, c1: c };
    }
    return box;
  }

  // A snapshot for the test to assert on: every cell that holds something, per sheet.
  snapshot() {
    return {
      active: this.active ? this.active.name : null,
      sheets: this.sheets.map((s) => ({
        name: s.name, visibility: s.visibility, protection: s.protection,
        cells: Object.fromEntries([...s.cells].filter(([, c]) => c.v !== "" || c.fill || c.nf !== "General" || c.link || Object.keys(c.font).length)
          .map(([key, c]) => [cellAddress(...key.split(",").map(Number)), { v: c.v, nf: c.nf, fill: c.fill, font: c.font, link: c.link || null }])),
        notes: Object.fromEntries(s.notes), widths: Object.fromEntries([...s.widths].map(([c, w]) => [columnName(c), w])),
      })),
    };
  }
}

// ---- Office.js objects over office-addin-mock ---------------------------------------------------
function plain(value) {  // the mock turns null into an empty object: Excel reports no value as undefined
  return value === null ? undefined : value;
}

class Context {
  constructor(book, supports) {
    this.book = book;
    this.supports = supports;
    this.loaded = new Set();
    this.atSync = [];
    this.errors = [];
    this.syncs = 0;
    this.proxies = new WeakMap();
    this.workbook = this.workbookObject();
  }

  async sync() {
    for (const mock of this.loaded) mock.sync();
    this.loaded.clear();
    await new Promise((resolve) => setImmediate(resolve));  // the mock's sync settles in microtasks
    for (const step of this.atSync.splice(0)) step();
    this.syncs += 1;
    if (this.errors.length) {
      const error = this.errors[0];
      this.errors = [];
      throw error;
    }
  }

  fail(code, message) {
    const error = new Error(message);
    error.code = code;
    this.errors.push(error);
  }

  // An OfficeMockObject for `data`; `setters` (by property path) make writes reach the workbook.
  object(data, setters = {}, extra = {}) {
    const mock = new OfficeMockObject(data);
    Object.assign(mock, extra);
    return this.wrap(mock, setters, "");
  }

  wrap(mock, setters, path) {
    const known = this.proxies.get(mock);
    if (known) return known;
    const ctx = this;
    const proxy = new Proxy(mock, {
      get(target, prop, receiver) {
        if (prop === "load") {
          return (arg) => {
            target.load(arg);
            ctx.loaded.add(target);
            return receiver;
          };
        }
        const value = target[prop];
        if (typeof value === "string" && NOT_READY.has(value)) {
          const error = new Error(`${value}: ${path}${String(prop)}`);
          error.code = "PropertyNotLoaded";
          throw error;
        }
        if (value instanceof OfficeMockObject) return ctx.wrap(value, setters, `${path}${String(prop)}.`);
        return value;
      },
      set(target, prop, value) {
        const key = `${path}${String(prop)}`;
        if (!setters[key]) throw new Error(`mock: writing ${key} is not modelled`);
        setters[key](value);
        return true;
      },
    });
    this.proxies.set(mock, proxy);
    return proxy;
  }

  // A collection: `load` makes `items` (built then) available at the next sync, loading on each
  // item the properties asked for ("name", "items/name", "items").
  collection(makeItems, methods = {}) {
    const ctx = this;
    return {
      ...methods,
      load(arg) {
        const self = this;
        const items = makeItems();
        const wanted = (Array.isArray(arg) ? arg : String(arg ?? "items").split(","))
          .map((p) => p.trim()).filter(Boolean)
          .map((p) => (p === "items" ? "" : p.replace(/^items\//, "")));
        for (const item of items) {
          const props = wanted.filter((p) => p && !p.includes("/"));
          if (props.length) item.load(props.join(","));
        }
        ctx.atSync.push(() => { self.items = items; });
        return self;
      },
    };
  }

  nullObject() {  // Excel loads nothing on a null object, and says so only through isNullObject
    return this.object({ load() { return this; } }, {}, { isNullObject: true });
  }

  // ---- workbook, sheets ----
  workbookObject() {
    const { book } = this;
    return this.object({
      name: book.name,
      worksheets: this.collection(() => book.sheets.map((s) => this.sheetObject(s)), {
        getItem: (name) => {
          const sheet = book.sheet(name);
          if (!sheet) this.fail("ItemNotFound", `The requested resource doesn't exist: sheet ${name}`);
          return this.sheetObject(sheet);
        },
        getItemOrNullObject: (name) => (book.sheet(name) ? this.sheetObject(book.sheet(name)) : this.nullObject()),
        getActiveWorksheet: () => this.sheetObject(book.active),
        add: (name) => {
          if (book.sheet(name)) this.fail("ItemAlreadyExists", `A sheet named ${name} already exists`);
          const sheet = book.newSheet({ name });
          book.sheets.push(sheet);
          return this.sheetObject(sheet);
        },
      }),
      names: this.collection(() => book.names.map((n) => this.namedItem(n))),
      application: {
        calculationMode: "Automatic",
        calculate: () => {},
        suspendScreenUpdatingUntilNextSync: () => {},
      },
      getSelectedRange: () => this.rangeObject(book.active, { r0: 0, c0: 0, r1: 0, c1: 0 }),
      save: () => {},
    });
  }

  namedItem(n) {
    const [sheetName, address] = n.formula.replace(/^=/, "").split("!");
    const sheet = this.book.sheet(sheetName.replace(/^'|'$/g, "").replace(/''/g, "'"));
    return this.object({
      name: n.name, type: "Range", formula: n.formula,
      getRangeOrNullObject: () => (sheet ? this.rangeObject(sheet, parseAddress(address), true) : this.nullObject()),
    });
  }

  sheetObject(sheet) {
    if (!sheet) return this.nullObject();
    const { book } = this;
    const data = {
      id: sheet.id, name: sheet.name, position: book.sheets.indexOf(sheet), visibility: sheet.visibility,
      showGridlines: true,
      protection: {
        protected: sheet.protection.protected,
        options: { ...sheet.protection.options },
        protect: (options) => {
          if (sheet.protection.protected) this.fail("InvalidOperation", `${sheet.name} is protected already`);
          const given = {};
          for (const key of PROTECTION_OPTIONS) if (options && options[key] !== undefined) given[key] = options[key];
          sheet.protection = { protected: true, options: { ...DEFAULT_OPTIONS, ...given } };
        },
        unprotect: () => { sheet.protection = { ...sheet.protection, protected: false }; },
      },
      names: this.collection(() => []),
      tables: this.collection(() => []),
      charts: this.collection(() => []),
      shapes: this.collection(() => []),
      pivotTables: this.collection(() => []),
      pageLayout: { getPrintAreaOrNullObject: () => this.nullObject() },
      getRange: (address) => this.rangeObject(sheet, address === undefined ? { r0: 0, c0: 0, r1: 1048575, c1: 16383 } : parseAddress(address)),
      getRangeByIndexes: (r, c, rows, cols) => this.rangeObject(sheet, { r0: r, c0: c, r1: r + rows - 1, c1: c + cols - 1 }),
      getRanges: () => ({  // the whole sheet, for sheetClear
        clear: () => {
          if (this.guard(sheet, null, "clear the sheet")) sheet.cells.clear();
        },
      }),
      getUsedRangeOrNullObject: (valuesOnly) => {
        const box = book.usedRange(sheet, Boolean(valuesOnly));
        return box ? this.rangeObject(sheet, box) : this.nullObject();
      },
      delete: () => {
        book.sheets = book.sheets.filter((s) => s !== sheet);
        if (book.active === sheet) book.active = book.sheets[0];
      },
      activate: () => { book.active = sheet; },
    };
    // What an older Excel lacks is simply absent from its objects, as in Office.js: the requirement
    // set that brought each member (Microsoft's requirement-set pages).
    const since = { "1.2": ["protection"], "1.4": ["getUsedRangeOrNullObject", "names"],
      "1.7": ["getRangeByIndexes"], "1.8": ["showGridlines", "pivotTables"], "1.9": ["shapes", "pageLayout", "getRanges"] };
    for (const [version, members] of Object.entries(since)) {
      if (!this.supports("ExcelApi", version)) for (const member of members) delete data[member];
    }
    if (this.supports("ExcelApi", "1.18")) data.notes = this.notesCollection(sheet);
    return this.object(data, {
      position: (v) => {
        book.sheets = book.sheets.filter((s) => s !== sheet);
        book.sheets.splice(Number(v), 0, sheet);
      },
      visibility: (v) => { sheet.visibility = v; },
      name: (v) => { sheet.name = v; },
      showGridlines: () => {},
    }, { isNullObject: false });
  }

  notesCollection(sheet) {
    const note = (address) => {
      const key = rectAddress(parseAddress(address));
      if (!sheet.notes.has(key)) return this.nullObject();
      return this.object({
        content: sheet.notes.get(key), authorName: "mock",
        delete: () => this.guard(sheet, "allowEditObjects", "delete a note") && sheet.notes.delete(key),
        getLocation: () => this.rangeObject(sheet, parseAddress(key)),
      }, {}, { isNullObject: false });
    };
    return this.collection(() => [...sheet.notes.keys()].map(note), {
      getItemOrNullObject: note,
      add: (address, text) => {
        const key = rectAddress(parseAddress(address));
        if (sheet.notes.has(key)) this.fail("InvalidArgument", `A note already exists on ${key}`);
        else if (this.guard(sheet, "allowEditObjects", "add a note")) sheet.notes.set(key, String(text));
        return note(key);
      },
    });
  }

  // Excel refuses a change to a protected sheet unless its options allow that kind of change.
  guard(sheet, option, what) {
    if (!sheet.protection.protected || (option && sheet.protection.options[option])) return true;
    this.fail("AccessDenied", `The sheet ${sheet.name} is protected: cannot ${what}`);
    return false;
  }

  // ---- ranges ----
  rangeObject(sheet, rect, withSheet = false) {
    const { book } = this;
    const rows = rect.r1 - rect.r0 + 1;
    const cols = rect.c1 - rect.c0 + 1;
    const cells = (fn) => {
      for (let r = rect.r0; r <= rect.r1; r++) for (let c = rect.c0; c <= rect.c1; c++) fn(r, c);
    };
    const grid = (key, empty) => (rows * cols > 1e6 ? undefined : Array.from({ length: rows }, (_, i) => Array.from({ length: cols },
      (_, j) => book.cell(sheet, rect.r0 + i, rect.c0 + j)?.[key] ?? empty)));
    const first = book.cell(sheet, rect.r0, rect.c0) || {};
    // a matrix of the range's size, or one value (a 1x1 matrix too) for every cell
    const each = (value, what, fn) => {
      const single = !Array.isArray(value) || (value.length === 1 && value[0].length === 1);
      if (!single && (value.length !== rows || value.some((row) => row.length !== cols))) {
        this.fail("InvalidArgument", `The number of rows or columns in the input array doesn't match the range (${what})`);
        return;
      }
      cells((r, c) => fn(r, c, single ? (Array.isArray(value) ? value[0][0] : value) : value[r - rect.r0][c - rect.c0]));
    };
    const formatting = (what, fn) => (v) => {
      if (this.guard(sheet, "allowFormatCells", what)) cells((r, c) => fn(book.cell(sheet, r, c, true), v));
    };
    const font = (prop) => formatting(`format ${prop}`, (cell, v) => { cell.font = { ...cell.font, [prop]: v }; });
    const data = {
      address: `${quoteSheet(sheet.name)}!${rectAddress(rect)}`, rowCount: rows, columnCount: cols,
      rowIndex: rect.r0, columnIndex: rect.c0,
      values: grid("v", ""), numberFormat: grid("nf", "General"),
      format: {
        fill: { color: first.fill || "#FFFFFF", clear: () => formatting("clear a fill", (cell) => { cell.fill = null; })() },
        font: { bold: Boolean(first.font?.bold), italic: false, size: 11, name: "Calibri", color: "#000000" },
        columnWidth: 48, rowHeight: 15, wrapText: false,
        autofitColumns: () => {}, autofitRows: () => {},
      },
    };
    if (withSheet) data.worksheet = { position: book.sheets.indexOf(sheet), name: sheet.name };
    const setters = {
      values: (v) => {
        if (sheet.protection.protected) {
          let locked = false;
          cells((r, c) => { locked ||= book.cell(sheet, r, c)?.locked ?? true; });
          if (locked) {
            this.fail("AccessDenied", `The cell ${rectAddress(rect)} on ${sheet.name} is protected`);
            return;
          }
        }
        each(v, "values", (r, c, x) => { book.cell(sheet, r, c, true).v = plain(x) ?? ""; });
      },
      numberFormat: (v) => {
        if (this.guard(sheet, "allowFormatCells", "set a number format")) each(v, "numberFormat", (r, c, x) => { book.cell(sheet, r, c, true).nf = x; });
      },
      "format.fill.color": formatting("fill cells", (cell, v) => { cell.fill = String(v).toLowerCase(); }),
      "format.font.bold": font("bold"),
      "format.font.italic": font("italic"),
      "format.font.size": font("size"),
      "format.font.name": font("name"),
      "format.font.color": font("color"),
      "format.wrapText": formatting("wrap text", (cell, v) => { cell.wrap = Boolean(v); }),
      "format.horizontalAlignment": formatting("align", (cell, v) => { cell.align = v; }),
      "format.verticalAlignment": formatting("align", (cell, v) => { cell.valign = v; }),
      "format.rowHeight": () => { this.guard(sheet, "allowFormatRows", "set a row height"); },
      "format.columnWidth": (v) => {
        if (this.guard(sheet, "allowFormatColumns", "set a column width")) for (let c = rect.c0; c <= rect.c1; c++) sheet.widths.set(c, v);
      },
      hyperlink: (v) => {
        if (this.guard(sheet, "allowInsertHyperlinks", "insert a hyperlink")) cells((r, c) => { book.cell(sheet, r, c, true).link = { ...v }; });
      },
    };
    return this.object(data, setters, { isNullObject: false });
  }
}

// ---- the globals a task pane has: Office, Excel -------------------------------------------------
export function versionAtLeast(have, want) {
  const a = String(have).split(".").map(Number);
  const b = String(want).split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}

// sets: {"ExcelApi": "1.17", ...}: what isSetSupported reports, as a given Excel would.
export function installOffice(book, sets, record) {
  const table = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k.toLowerCase(), v]));
  const supports = (name, version = "1.1") => {
    const have = table[String(name).toLowerCase()];
    return have !== undefined && versionAtLeast(have, version);
  };
  const associated = {};
  globalThis.Office = {
    onReady: async (callback) => {
      const info = { host: "Excel", platform: "PC" };
      if (callback) await callback(info);
      return info;
    },
    context: {
      platform: "PC",
      requirements: { isSetSupported: supports },
      ui: {
        displayDialogAsync: (url, options, callback) => {
          const query = new URL(url).searchParams;
          record.alerts.push({ prompt: query.get("prompt"), title: query.get("title"), mode: query.get("mode") });
          callback?.({ status: "failed", error: { message: "no dialog in the mock", code: 0 } });
        },
      },
    },
    AsyncResultStatus: { Failed: "failed", Succeeded: "succeeded" },
    EventType: { DialogMessageReceived: "message", DialogEventReceived: "event" },
    actions: { associate: (name, fn) => { associated[name] = fn; } },
  };
  globalThis.Excel = {
    run: async (batch) => {
      const context = new Context(book, supports);
      const result = await batch(context);
      await context.sync();
      return result;
    },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents" },
    ShapeType: { image: "Image" },
    CalculationType: { full: "Full" },
    SaveBehavior: { save: "Save" },
    DeleteShiftDirection: { up: "Up", left: "Left" },
    InsertShiftDirection: { down: "Down", right: "Right" },
  };
  return associated;
}
