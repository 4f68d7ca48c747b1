// Re-save a workbook with stock SheetJS (npm package "xlsx", see package.json here), the way
// web apps and scripts built on it write files. Used by tests/test_real_programs.py.
//
//   node sheetjs_convert.js IN.xlsx OUT BOOKTYPE     (BOOKTYPE: xlsx, biff8, xlsb, ods)
const XLSX = require("xlsx");
const [src, out, bookType] = process.argv.slice(2);
const book = XLSX.readFile(src, { cellStyles: true, cellFormula: true, cellNF: true });
XLSX.writeFile(book, out, { bookType, compression: true });
