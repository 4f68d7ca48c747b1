// fourgood: callbacks the server's actions call (runMacro), and the task pane.
//
// The forms are protected sheets without a password. Excel refuses fills and notes on them, so
// fourgood's scripts frame their changes with runMacro "fourgoodUnprotect" / "fourgoodProtect"
// (one argument: the sheet names joined by "|"). Only sheets that are protected are unprotected,
// and exactly those are protected again with the options they had.
const lifted = {};

async function fourgoodUnprotect(context, names) {
  for (const name of String(names || "").split("|").filter(Boolean)) {
    const sheet = context.workbook.worksheets.getItemOrNullObject(name);
    await context.sync();
    if (sheet.isNullObject) continue;
    sheet.protection.load("protected,options");
    await context.sync();
    if (!sheet.protection.protected) continue;
    lifted[name] = sheet.protection.options;
    sheet.protection.unprotect();
    await context.sync();
  }
}

async function fourgoodProtect(context, names) {
  for (const name of String(names || "").split("|").filter(Boolean)) {
    if (!(name in lifted)) continue;
    const sheet = context.workbook.worksheets.getItemOrNullObject(name);
    await context.sync();
    if (!sheet.isNullObject) {
      sheet.protection.protect(lifted[name]);
      await context.sync();
    }
    delete lifted[name];
  }
}

xlwings.registerCallback(fourgoodUnprotect);
xlwings.registerCallback(fourgoodProtect);

function fourgoodTaskpane() {
  const input = document.getElementById("fourgood-token");
  if (!input) return;
  const status = document.getElementById("fourgood-status");
  input.value = localStorage.getItem("fourgood-token") || "";
  document.getElementById("fourgood-save-token").addEventListener("click", () => {
    localStorage.setItem("fourgood-token", input.value.trim());
    status.textContent = "Đã lưu mã truy cập trên máy này.";
  });
  document.getElementById("fourgood-check").addEventListener("click", () => globalThis.fourgoodRun("kiem_tra_phieu"));
  document.getElementById("fourgood-consolidate").addEventListener("click", () => globalThis.fourgoodRun("tong_hop"));
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", fourgoodTaskpane);
} else {
  fourgoodTaskpane();
}
