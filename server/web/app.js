// The check-and-submit page: plain JavaScript, no library, no CDN.
"use strict";
(function () {
  const STATUS = {
    meets: "Đạt “Chi bộ 4 tốt”",
    below: "Chưa đạt: dưới ngưỡng điểm đạt",
    incomplete: "Chưa chấm đủ các tiêu chí",
    veto: "Không đạt: thuộc trường hợp loại trừ",
    invalid: "Phiếu có lỗi cần sửa",
    consolidated: "Đây là bảng tổng hợp, không phải phiếu của một chi bộ",
    skipped: "Tệp hệ thống hoặc tệp khóa: bỏ qua",
  };
  const $ = (id) => document.getElementById(id);
  let current = null; // {file, result}

  function number(v) {
    if (v === null || v === undefined) return "—";
    return String(v).replace(".", ",");
  }
  function period(p) {
    if (!p) return "—";
    const m = /^(\d{4})-(\d{2})$/.exec(p);
    return m ? `Tháng ${Number(m[2])} năm ${m[1]}` : `Cả năm ${p}`;
  }
  function verdict(r) {
    const errors = r.errors.filter((e) => e.severity === "error").length;
    if (errors) return `Còn ${errors} lỗi cần sửa`;
    let text = STATUS[r.status] || r.status;
    const total = r.upper_total !== null ? r.upper_total : r.self_total;
    if ((r.status === "meets" || r.status === "below") && total !== null) text += `: ${number(total)} điểm`;
    return text;
  }
  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    tr.appendChild(td);
  }
  function show(r) {
    $("ket-qua").hidden = false;
    const head = $("ket-luan");
    head.textContent = verdict(r);
    head.dataset.status = r.errors.some((e) => e.severity === "error") ? "invalid" : r.status;
    $("kq-tep").textContent = r.file;
    $("kq-ma").textContent = r.cell_code || "—";
    $("kq-ky").textContent = period(r.period);
    $("kq-tu-cham").textContent = number(r.self_total);
    $("kq-cap-tren").textContent = number(r.upper_total);
    const body = $("loi").querySelector("tbody");
    body.textContent = "";
    for (const e of r.errors) {
      const tr = document.createElement("tr");
      tr.className = e.severity;
      cell(tr, e.severity === "error" ? "Lỗi" : "Cảnh báo");
      cell(tr, e.sheet);
      cell(tr, e.cell);
      cell(tr, e.criterion);
      cell(tr, e.message);
      cell(tr, e.code);
      body.appendChild(tr);
    }
    $("tieu-de-loi").textContent = r.errors.length ? `Các vấn đề (${r.errors.length})` : "Không có lỗi hay cảnh báo nào.";
    $("loi").hidden = !r.errors.length;
    updateButton();
  }
  function message(el, text, ok) {
    el.textContent = text;
    el.className = ok ? "ok" : "loi";
  }
  async function post(url, file, token) {
    const form = new FormData();
    form.append("file", file, file.name);
    const headers = token ? { Authorization: "Bearer " + token } : {};
    const response = await fetch(url, { method: "POST", body: form, headers });
    let data = null;
    try { data = await response.json(); } catch (e) { data = { detail: response.statusText }; }
    return { status: response.status, data };
  }
  async function check(file) {
    current = null;
    $("ten-tep").textContent = `Đang kiểm tra ${file.name}…`;
    $("bien-nhan").textContent = "";
    try {
      const { status, data } = await post("/api/check", file, "");
      if (status !== 200) {
        $("ten-tep").textContent = data.detail || `Lỗi ${status}`;
        return;
      }
      current = { file, result: data };
      $("ten-tep").textContent = `Đã kiểm tra: ${file.name}`;
      show(data);
    } catch (e) {
      $("ten-tep").textContent = "Không kết nối được máy chủ: " + e;
    }
  }
  function updateButton() {
    $("nop").disabled = !(current && current.result.valid && $("ma-truy-cap").value.trim());
  }
  async function submit() {
    if (!current) return;
    const token = $("ma-truy-cap").value.trim();
    sessionStorage.setItem("fourgood-token", token);
    $("nop").disabled = true;
    const out = $("bien-nhan");
    try {
      const { status, data } = await post("/api/submit", current.file, token);
      if (status === 201) {
        message(out, `Đã nhận phiếu của chi bộ ${data.cell_code}, kỳ ${period(data.period)}. ` +
          `Số biên nhận: ${data.receipt_id} (lúc ${data.received_at}).`, true);
      } else {
        message(out, data.detail || `Lỗi ${status}`, false);
        if (data.check) show(data.check);
      }
    } catch (e) {
      message(out, "Không kết nối được máy chủ: " + e, false);
    }
    updateButton();
  }

  const zone = $("vung-tha");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dang-tha"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dang-tha"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dang-tha");
    if (e.dataTransfer.files.length) check(e.dataTransfer.files[0]);
  });
  $("tep").addEventListener("change", (e) => { if (e.target.files.length) check(e.target.files[0]); });
  $("ma-truy-cap").value = sessionStorage.getItem("fourgood-token") || "";
  $("ma-truy-cap").addEventListener("input", updateButton);
  $("nop").addEventListener("click", submit);
})();
