// fourgood: the "4 Tốt" tab's buttons (manifest.xml: FunctionName fourgood-check / fourgood-consolidate).
// Which sheets are sent comes from the scripts' @script(include=...), read from custom-scripts-meta.
async function fourgoodRun(scriptName) {
  const meta = await (await fetch(config.appPath + "/xlwings/custom-scripts-meta.json")).json();
  const script = meta.find((m) => m.function_name === scriptName) || {};
  const include = Array.isArray(script.include) ? script.include.join(",") : script.include || "";
  const auth = await globalThis.getAuth();
  await xlwings.runPython({
    auth: auth.token,
    scriptName: scriptName,
    include: include,
    headers: { "Auth-Provider": auth.provider },
  });
}
async function fourgoodCheck(event) {
  try { await fourgoodRun("kiem_tra_phieu"); } finally { event.completed(); }
}
async function fourgoodConsolidate(event) {
  try { await fourgoodRun("tong_hop"); } finally { event.completed(); }
}
globalThis.fourgoodRun = fourgoodRun;
Office.actions.associate("fourgood-check", fourgoodCheck);
Office.actions.associate("fourgood-consolidate", fourgoodConsolidate);
