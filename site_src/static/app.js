// The dossier page: binds the generated form to a draft that is saved on every change, and
// shows the verdict of the engine's pydantic validators, which run in Pyodide in a worker.
// Before Python is ready (or in a browser that cannot run it) the page stays usable with
// simple checks generated from the same definitions (required fields, number syntax).

const meta = JSON.parse(document.getElementById("form-meta").textContent);
const form = document.getElementById("dossier-form");
const STORAGE_KEY = `formsite:draft:${meta.dossier}`;
const BACKUP_KEY = `formsite:draft-backup:${meta.dossier}`;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Draft: the data exactly as typed, saved to localStorage on every change.

let draft = loadDraft();

function emptyData() {
  return Object.fromEntries(meta.forms.map((f) => [f, {}]));
}

function loadDraft() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    if (saved && saved.data && typeof saved.data === "object") {
      for (const f of meta.forms) saved.data[f] ??= {};
      return saved;
    }
  } catch (err) {
    console.warn("draft unreadable, starting a new one", err);
  }
  return { format: "formsite-draft", dossier: meta.dossier, data: emptyData() };
}

let persistAsked = false;
function saveDraft() {
  draft.saved_at = new Date().toISOString();
  draft.ruleset = meta.ruleset;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(draft));
    $("save-state").textContent = `已自动保存 ${new Date().toLocaleTimeString("zh-CN")}`;
  } catch (err) {
    showNotice("浏览器存储空间已满，草稿未能保存。请立即点击“下载数据包”保存当前内容。", "error");
  }
  if (!persistAsked && navigator.storage && navigator.storage.persist) {
    persistAsked = true;
    navigator.storage.persist().catch(() => {});
  }
}

function splitPath(path) {
  return path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function getAt(path) {
  let node = draft.data;
  for (const part of splitPath(path)) {
    if (node == null || typeof node !== "object") return undefined;
    node = node[part];
  }
  return node;
}

function setAt(path, value) {
  const parts = splitPath(path);
  let node = draft.data;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part];
  }
  node[parts.at(-1)] = value;
}

// ---------------------------------------------------------------------------------------------
// DOM ↔ draft

function controlValue(el) {
  return el.type === "checkbox" ? el.checked : el.value;
}

function groupValue(path) {
  const field = meta.fields[path];
  const inputs = [...form.querySelectorAll(`[data-option-of="${CSS.escape(path)}"]`)];
  if (field.type === "choice") return inputs.find((i) => i.checked)?.value ?? null;
  return inputs.filter((i) => i.checked).map((i) => i.value);
}

function fillControl(el, value) {
  if (el.type === "checkbox") el.checked = value === true;
  else el.value = value ?? "";
}

// Fields that hold something typed (a restored draft or an import) count as touched.
function markTouched() {
  for (const path of Object.keys(meta.fields)) {
    const value = getAt(path);
    const presets = meta.fields[path].presets;
    const onlyPresets = presets && JSON.stringify(value) === JSON.stringify(presets);
    if (!isEmpty(value) && !(Array.isArray(value) && value.every(isEmpty)) && !onlyPresets) touched.add(path);
  }
}

function fillAll() {
  markTouched();
  for (const [path, field] of Object.entries(meta.fields)) {
    if (field.sum) continue;
    if (field.type === "table") {
      renderTable(path);
    } else if (field.type === "choice" || field.type === "multichoice") {
      const value = getAt(path);
      for (const input of form.querySelectorAll(`[data-option-of="${CSS.escape(path)}"]`)) {
        input.checked = Array.isArray(value) ? value.includes(input.value) : value === input.value;
      }
    } else {
      const el = form.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (el) fillControl(el, getAt(path));
    }
  }
  refresh();
}

function ensurePresets() {
  for (const [path, field] of Object.entries(meta.fields)) {
    if (field.type === "table" && getAt(path) === undefined && field.presets.length) {
      setAt(path, field.presets.map((row) => ({ ...row })));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Repeating tables

function renderTable(path) {
  const table = form.querySelector(`table[data-table="${CSS.escape(path)}"]`);
  const template = form.querySelector(`template[data-row-for="${CSS.escape(path)}"]`);
  const tbody = table.tBodies[0];
  const rows = Array.isArray(getAt(path)) ? getAt(path) : [];
  tbody.replaceChildren();
  rows.forEach((row, i) => {
    const tr = template.content.firstElementChild.cloneNode(true);
    tr.querySelector(".idx").textContent = String(i + 1);
    for (const el of tr.querySelectorAll("[data-path]")) {
      const column = el.dataset.path;
      el.dataset.col = column;
      el.dataset.path = `${path}.${i}.${column}`;
      el.id = `f-${el.dataset.path.replaceAll(".", "-")}`;
      el.setAttribute("aria-label", el.getAttribute("aria-label").replace("{n}", i + 1));
      el.removeAttribute("required");
      fillControl(el, row?.[column]);
      const msg = el.parentElement.querySelector(".msg");
      msg.id = `e-${el.id}`;
    }
    const remove = tr.querySelector(".row-remove");
    remove.setAttribute("aria-label", remove.getAttribute("aria-label").replace("{n}", i + 1));
    remove.addEventListener("click", () => removeRow(path, i));
    tbody.append(tr);
  });
  const add = form.querySelector(`[data-add-for="${CSS.escape(path)}"]`);
  add.disabled = rows.length >= meta.fields[path].max_rows;
}

function addRow(path) {
  const rows = Array.isArray(getAt(path)) ? getAt(path) : [];
  rows.push({});
  setAt(path, rows);
  renderTable(path);
  changed();
  form.querySelector(`table[data-table="${CSS.escape(path)}"] tbody tr:last-child [data-path]`)?.focus();
}

function removeRow(path, index) {
  const rows = getAt(path);
  const row = rows[index];
  const filled = row && Object.values(row).some((v) => v !== "" && v != null && v !== false);
  if (filled && !confirm(`确定删除第${index + 1}行吗？该行已填写的内容将被删除。`)) return;
  rows.splice(index, 1);
  renderTable(path);
  changed();
  const next = form.querySelectorAll(`table[data-table="${CSS.escape(path)}"] tbody tr`)[index];
  (next?.querySelector("[data-path]") || form.querySelector(`[data-add-for="${CSS.escape(path)}"]`)).focus();
}

// ---------------------------------------------------------------------------------------------
// Conditions and live sums (the engine computes the same, authoritatively, in Python)

function holds(cond, formId) {
  if (!cond) return true;
  if (cond.all) return cond.all.every((c) => holds(c, formId));
  if (cond.any) return cond.any.some((c) => holds(c, formId));
  if (cond.not) return !holds(cond.not, formId);
  const ref = cond.field.split(".").length > 1 && meta.forms.includes(cond.field.split(".")[0])
    ? cond.field : `${formId}.${cond.field}`;
  const value = getAt(ref);
  if (cond.includes !== undefined) return Array.isArray(value) && value.includes(cond.includes);
  return value === cond.equals;
}

function applyConditions() {
  for (const el of form.querySelectorAll("[data-when]")) {
    const formId = el.closest("section.annex").id.replace(/^annex-/, "");
    const show = holds(JSON.parse(el.dataset.when), formId);
    el.hidden = !show;
  }
}

// Money as integer hundredths (BigInt): 0.1 + 0.2 is 0.30 here too, never 0.30000000000000004.
// The same leniency as formsite/values.py: full-width forms, grouping, a trailing unit.
const UNIT_SUFFIX = /(万元|万|平方米|平米|㎡|m²|m2|%|％|家|个|款|人|次)$/;

function numberText(raw) {
  let text = String(raw).normalize("NFKC").replace(/[\s\u3000]/g, "").replace(/，/g, ",").replace(/。/g, ".");
  text = text.replace(UNIT_SUFFIX, "");
  if (text.includes(",")) {
    if (!/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) return null;
    text = text.replaceAll(",", "");
  }
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? text : null;
}

function parseHundredths(raw) {
  if (raw == null) return null;
  let text = numberText(raw);
  if (text === null) return null;
  text = text.replace(/(\.\d*?)0+$/, "$1");  // 1.500 is 1.5
  const m = /^([+-]?)(\d*)(?:\.(\d{0,2}))?$/.exec(text);
  if (!m || (m[2] === "" && !m[3])) return null;
  const cents = BigInt(m[2] || "0") * 100n + BigInt((m[3] || "").padEnd(2, "0") || "0");
  return m[1] === "-" ? -cents : cents;
}

function formatHundredths(cents) {
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

function computeSums() {
  const totals = {};
  const valueOf = (ref) => {
    if (ref in totals) return totals[ref];
    const parts = ref.split(".");
    if (parts.length === 3) {
      const rows = getAt(`${parts[0]}.${parts[1]}`);
      return (Array.isArray(rows) ? rows : []).reduce(
        (acc, row) => acc + (parseHundredths(row?.[parts[2]]) ?? 0n), 0n);
    }
    return parseHundredths(getAt(ref)) ?? 0n;
  };
  for (const path of meta.sum_order) {
    totals[path] = meta.fields[path].sum.reduce((acc, ref) => acc + valueOf(ref), 0n);
  }
  for (const [path, cents] of Object.entries(totals)) {
    const out = form.querySelector(`output[data-path="${CSS.escape(path)}"]`);
    if (out) out.value = formatHundredths(cents);
  }
}

// ---------------------------------------------------------------------------------------------
// Issues: next to each field and in the summary

const NUMERIC = new Set(["money", "area", "percent", "integer"]);

// Before Python is ready: required fields and number syntax only, from the same definitions.
function preliminaryIssues() {
  const issues = [];
  const visible = (path) => !form.querySelector(`[data-field="${CSS.escape(path)}"]`)?.closest("[hidden]");
  for (const [path, field] of Object.entries(meta.fields)) {
    if (field.sum || !visible(path)) continue;
    const value = getAt(path);
    if (field.required && (value == null || value === "" || (Array.isArray(value) && !value.length))) {
      const verb = field.type === "choice" || field.type === "multichoice" ? "请选择" : "请填写";
      issues.push({ path, code: "required", severity: "error", message: `${verb}${field.label}。` });
    } else if (NUMERIC.has(field.type) && value && numberText(value) === null) {
      issues.push({ path, code: "number.invalid", severity: "error", message: `${field.label}应填写数字，填写的是“${value}”。` });
    }
  }
  return issues;
}

let shownPaths = [];
// "Please fill in X" next to a field the person has not reached yet is noise: such messages
// appear beside a field once it was edited (or after a download), and always in the summary.
const touched = new Set();
let showAllInline = false;
const isEmpty = (v) => v == null || v === "" || v === false || (Array.isArray(v) && !v.length)
  || (typeof v === "object" && !Array.isArray(v) && Object.values(v).every(isEmpty));

function isQuiet(issue) {
  if (showAllInline) return false;
  const [formId, fieldId] = issue.path.split(".");
  if (touched.has(`${formId}.${fieldId}`)) return false;
  const value = getAt(issue.path);
  return isEmpty(value) || (Array.isArray(value) && value.every(isEmpty));
}

// A format error on the field being typed in waits until the person leaves it (or pauses
// with the value unchanged): "应为18位，填写的是4位" after four keystrokes is noise.
let typingIn = null;
form.addEventListener("focusout", () => {
  if (typingIn) {
    typingIn = null;
    showIssues(lastIssues.issues, lastIssues.options);
  }
});

function clearIssues() {
  for (const el of form.querySelectorAll("[data-had-issue]")) el.removeAttribute("data-had-issue");
  for (const el of shownPaths) {
    el.setAttribute("data-had-issue", "");
    el.removeAttribute("aria-invalid");
    const msg = msgFor(el);
    if (msg) {
      msg.hidden = true;
      msg.textContent = "";
      msg.className = "msg";
    }
    el.classList.remove("has-error", "has-warning");
  }
  shownPaths = [];
}

function elementFor(path) {
  return form.querySelector(`[data-path="${CSS.escape(path)}"]`)
    || form.querySelector(`[data-field="${CSS.escape(path)}"]`);
}

function msgFor(el) {
  if (el.tagName === "FIELDSET" || el.classList.contains("table-field")) return el.querySelector(":scope > .msg");
  return el.closest("td")?.querySelector(".msg") || el.closest(".row")?.querySelector(":scope > .msg");
}

let lastIssues = { issues: [], options: {} };

function documentOrder(issues) {
  // The summary lists problems in the order of the form, not in the order rules ran.
  const position = new Map();
  [...form.querySelectorAll("[data-path], [data-field]")].forEach((el, i) => {
    const key = el.dataset.path || el.dataset.field;
    if (!position.has(key)) position.set(key, i);
  });
  const rank = (path) => {
    for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      if (position.has(p)) return position.get(p);
    }
    return Number.MAX_SAFE_INTEGER;
  };
  return issues.map((issue, i) => [rank(issue.path), i, issue]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, , issue]) => issue);
}

function showIssues(unordered, options = {}) {
  const { preliminary = false } = options;
  lastIssues = { issues: unordered, options };
  const issues = documentOrder(unordered);
  clearIssues();
  const list = $("summary-list");
  list.replaceChildren();
  for (const issue of issues) {
    const el = elementFor(issue.path);
    const warning = issue.severity === "warning";
    const deferred = typingIn && el === typingIn && !el.hasAttribute("data-had-issue");
    if (el && !el.closest("[hidden]") && !isQuiet(issue) && !deferred) {
      const msg = msgFor(el);
      if (!warning) el.setAttribute("aria-invalid", "true");
      el.classList.add(warning ? "has-warning" : "has-error");
      if (msg) {
        msg.hidden = false;
        msg.textContent = msg.textContent ? `${msg.textContent} ${issue.message}` : issue.message;
        msg.className = `msg ${msg.className.includes("error") || !warning ? "error" : "warning"}`;
        const described = new Set((el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
        described.add(msg.id);
        el.setAttribute("aria-describedby", [...described].join(" "));
      }
      shownPaths.push(el);
    }
    const li = document.createElement("li");
    li.className = warning ? "warning" : "error";
    const a = document.createElement("a");
    a.href = el ? `#${el.id}` : "#";
    a.textContent = `${warning ? "提醒" : "错误"}：${issue.message}`;
    a.addEventListener("click", (event) => {
      event.preventDefault();
      if (!el) return;
      el.scrollIntoView({ block: "center" });
      (el.matches("input, textarea, select") ? el : el.querySelector("input, textarea, button") || el).focus();
    });
    li.append(a);
    list.append(li);
  }
  $("summary-empty").hidden = issues.length > 0;
  const errors = issues.filter((i) => i.severity === "error").length;
  const warnings = issues.length - errors;
  const verdict = $("verdict");
  if (preliminary) {
    verdict.textContent = errors ? `初步检查：${errors}个问题（完整校验加载中）` : "初步检查未发现问题（完整校验加载中）";
    verdict.className = "verdict pending";
  } else {
    verdict.textContent = errors
      ? `未通过校验：${errors}个错误，${warnings}个提醒`
      : `通过校验，可以下载提交${warnings ? `（${warnings}个提醒）` : ""}`;
    verdict.className = `verdict ${errors ? "bad" : "good"}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The engine in the worker

const engine = { worker: null, ready: false, failed: false, seq: 0, pending: new Map() };

function startEngine() {
  let worker;
  try {
    worker = new Worker(new URL("../py-worker.js", import.meta.url), { type: "module" });
  } catch (err) {
    engineFailed("本浏览器不支持模块化 Web Worker，无法加载完整校验。表单仍可填写，并进行初步检查。");
    return;
  }
  engine.worker = worker;
  worker.addEventListener("message", ({ data: msg }) => {
    if (msg.type === "progress") {
      $("engine-progress").value = msg.fraction;
      $("engine-text").textContent = msg.text;
    } else if (msg.type === "ready") {
      engine.ready = true;
      $("engine-progress").hidden = true;
      $("engine-text").textContent = `校验引擎已就绪（${(msg.ms / 1000).toFixed(1)} 秒）`;
      document.body.dataset.engine = "ready";
      validateNow();
    } else if (msg.type === "error") {
      engineFailed(msg.text);
    } else if (msg.type === "result") {
      const waiter = engine.pending.get(msg.id);
      engine.pending.delete(msg.id);
      if (waiter) (msg.ok ? waiter.resolve : waiter.reject)(msg.ok ? msg.value : new Error(msg.error));
    }
  });
  worker.addEventListener("error", () => engineFailed("校验引擎启动失败。表单仍可填写，并进行初步检查。"));
}

function engineFailed(text) {
  if (engine.ready) return;
  engine.failed = true;
  document.body.dataset.engine = "failed";
  $("btn-export").textContent = "下载草稿（未校验）";
  $("engine-progress").hidden = true;
  $("engine-text").textContent = text;
  $("engine-status").classList.add("failed");
}

function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    const id = ++engine.seq;
    engine.pending.set(id, { resolve, reject });
    engine.worker.postMessage({ type: "call", id, fn, args });
  });
}

let inFlight = false;
let dirty = false;

async function validateNow() {
  if (!engine.ready) return;
  if (inFlight) {
    dirty = true;
    return;
  }
  inFlight = true;
  dirty = false;
  try {
    const started = performance.now();
    const result = JSON.parse(await call("validate", JSON.stringify({ dossier: meta.dossier, data: draft.data })));
    document.body.dataset.validateMs = (performance.now() - started).toFixed(2);
    // An edit arrived meanwhile: this verdict is about an older draft; the next one follows.
    if (!dirty) {
      applyNormalisedSums(result.normalised);
      showIssues([...result.errors, ...result.warnings]);
      document.body.dataset.validated = String(Number(document.body.dataset.validated || 0) + 1);
    }
  } catch (err) {
    $("verdict").textContent = "校验出错，结果未知";
    $("verdict").className = "verdict bad";
    showNotice(`校验时出现内部错误：${err.message}`, "error");
  } finally {
    inFlight = false;
    if (dirty) validateNow();
    else delete document.body.dataset.pending;
  }
}

function applyNormalisedSums(normalised) {
  if (!normalised) return;
  for (const [path, field] of Object.entries(meta.fields)) {
    if (!field.sum) continue;
    const [formId, fieldId] = path.split(".");
    const value = normalised[formId]?.[fieldId];
    const out = form.querySelector(`output[data-path="${CSS.escape(path)}"]`);
    if (out && value != null) out.value = value;
  }
}

// ---------------------------------------------------------------------------------------------
// Change handling

function refresh() {
  applyConditions();
  computeSums();
  if (engine.ready) validateNow();
  else showIssues(preliminaryIssues(), { preliminary: true });
}

function changed() {
  if (engine.ready) document.body.dataset.pending = "1"; // cleared when the verdict is shown
  saveDraft();
  refresh();
}

form.addEventListener("input", (event) => {
  const el = event.target;
  const path = el.dataset.optionOf || el.dataset.path;
  if (path) touched.add(path.split(".").slice(0, 2).join("."));
  typingIn = el.matches("input[type=text], input[type=tel], textarea") ? el : null;
  if (el.dataset.optionOf) {
    setAt(el.dataset.optionOf, groupValue(el.dataset.optionOf));
  } else if (el.dataset.path) {
    setAt(el.dataset.path, controlValue(el));
  } else {
    return;
  }
  changed();
});
form.addEventListener("click", (event) => {
  const add = event.target.closest("[data-add-for]");
  if (add) addRow(add.dataset.addFor);
});
form.addEventListener("submit", (event) => event.preventDefault());

// ---------------------------------------------------------------------------------------------
// Export, import, clear, print

function showNotice(text, kind = "info", lines = []) {
  const box = $("notice");
  box.replaceChildren();
  const p = document.createElement("p");
  p.textContent = text;
  box.append(p);
  if (lines.length) {
    const ul = document.createElement("ul");
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      ul.append(li);
    }
    box.append(ul);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "关闭";
  close.addEventListener("click", () => { box.hidden = true; });
  box.append(close);
  box.className = `notice ${kind}`;
  box.hidden = false;
}

function toBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function download(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Replacing the whole draft (import, clear, restore): the old one goes to the backup slot.
function replaceDraft(next, { backup = true } = {}) {
  if (backup) {
    try {
      localStorage.setItem(BACKUP_KEY, JSON.stringify(draft));
    } catch (err) {
      showNotice("浏览器存储空间已满，无法保存备份，操作已取消。请先下载数据包保存当前内容。", "error");
      return false;
    }
  }
  draft = { format: "formsite-draft", dossier: meta.dossier, ...next };
  for (const f of meta.forms) draft.data[f] ??= {};
  touched.clear();
  showAllInline = false;
  ensurePresets();
  saveDraft();
  fillAll();
  updateRestoreButton();
  return true;
}

// Without the engine (a browser too old for it) the draft can still leave this browser:
// a bare data.json in the bundle format, which the site and the CLI open and revalidate.
function downloadDraftJson() {
  const record = { format: "formsite-bundle", format_version: 1, dossier: meta.dossier,
    ruleset: meta.ruleset, data: draft.data, validation: { ok: false, status: "未校验" } };
  const name = `${(getAt("project_info.project_name") || meta.title).replace(/[\\/:*?"<>|\x00-\x1f]+/g, "_").slice(0, 60)}.json`;
  download(name, new TextEncoder().encode(JSON.stringify(record, null, 2)), "application/json");
  showNotice(`已下载草稿“${name}”（未经校验）。在新版浏览器中打开本页，用“导入数据包”即可继续。`, "warning");
}

$("btn-export").addEventListener("click", async () => {
  if (engine.failed) {
    downloadDraftJson();
    return;
  }
  if (!engine.ready) {
    showNotice("校验引擎仍在加载，请稍候几秒再下载。", "error");
    return;
  }
  const button = $("btn-export");
  button.disabled = true;
  try {
    saveDraft();
    showAllInline = true;
    validateNow();
    const result = JSON.parse(await call("export_bundle", JSON.stringify({ dossier: meta.dossier, data: draft.data })));
    download(result.name, fromBase64(result.zip_base64), "application/zip");
    showNotice(result.ok
      ? `已下载数据包“${result.name}”（通过校验）。`
      : `已下载数据包“${result.name}”。注意：数据包标记为“未通过校验”（${result.errors.length}个错误），可继续修改后重新下载。`,
    result.ok ? "info" : "warning");
  } catch (err) {
    showNotice(`生成数据包时出错：${err.message}。草稿仍保存在本机，请稍后重试。`, "error");
  } finally {
    button.disabled = false;
  }
});

$("btn-import").addEventListener("click", () => {
  if (!engine.ready) {
    showNotice("校验引擎加载完成后才能导入数据包，请稍候。", "error");
    return;
  }
  $("import-file").value = "";
  $("import-file").click();
});

$("import-file").addEventListener("change", async () => {
  const file = $("import-file").files[0];
  if (!file) return;
  let result;
  try {
    const b64 = toBase64(await file.arrayBuffer());
    result = JSON.parse(await call("import_bundle", JSON.stringify({ dossier: meta.dossier, file_base64: b64 })));
  } catch (err) {
    result = { ok: false, message: `无法读取文件：${err.message}` };
  }
  if (!result.ok) {
    showNotice(`导入失败：${result.message} 当前草稿未作任何改动。`, "error");
    return;
  }
  if (touched.size > 0 && !confirm(`导入“${file.name}”将替换当前填写的内容。当前草稿会另存为备份，`
    + "可用“恢复上一份草稿”找回。继续导入吗？")) return;
  if (!replaceDraft({ data: result.data })) return;
  showNotice(`已导入“${file.name}”。导入前的草稿已另存为备份，可用“恢复上一份草稿”找回。`,
    result.notes.length ? "warning" : "info", result.notes);
});

$("btn-clear").addEventListener("click", () => {
  if (!confirm("确定清空全部填写内容吗？清空前的草稿会另存为备份。")) return;
  if (replaceDraft({ data: emptyData() })) {
    showNotice("已清空。清空前的草稿已另存为备份，可用“恢复上一份草稿”找回。", "info");
  }
});

// One backup slot: the draft before the last import or clear. Restoring swaps the two, so a
// restore can itself be undone.
function updateRestoreButton() {
  $("btn-restore").hidden = !localStorage.getItem(BACKUP_KEY);
}

$("btn-restore").addEventListener("click", () => {
  const backup = JSON.parse(localStorage.getItem(BACKUP_KEY) || "null");
  if (!backup || !backup.data) return;
  if (!confirm("恢复上一份草稿？当前内容会与备份互换，可再次点击恢复。")) return;
  if (replaceDraft({ data: backup.data })) showNotice("已恢复上一份草稿。", "info");
});

// Another tab of the same page saved the draft: this tab's copy is now stale, and saving it
// would overwrite the other tab's work.
window.addEventListener("storage", (event) => {
  if (event.key !== STORAGE_KEY || event.newValue === null) return;
  showNotice("本草稿已在另一个浏览器标签页中被修改。为避免互相覆盖，请只在一个标签页中填写，并刷新本页以载入最新内容。", "warning");
});

$("btn-print").addEventListener("click", () => window.print());

// Inputs clip long values on paper; print a plain copy of each value instead (print.css).
window.addEventListener("beforeprint", () => {
  for (const el of form.querySelectorAll("input[data-path]:not([type=checkbox]), textarea[data-path]")) {
    let copy = el.nextElementSibling;
    if (!copy || !copy.classList.contains("print-value")) {
      copy = document.createElement("div");
      copy.className = "print-value";
      el.after(copy);
    }
    copy.textContent = el.value;
  }
});

// ---------------------------------------------------------------------------------------------

// For benchmarks and tests, and for support staff in the developer console.
window.formsiteEngine = { call, get ready() { return engine.ready; } };

const draftRules = draft.ruleset;
ensurePresets();
fillAll();
updateRestoreButton();
startEngine();
if (draftRules && draftRules.hash !== meta.ruleset.hash) {
  showNotice(`本草稿按规则集 ${draftRules.id} 版本 ${draftRules.version} 填写，此后网站的规则或表单已更新（当前版本 ${meta.ruleset.version}）。`
    + "填写内容全部保留，并按当前规则重新校验；请查看“问题汇总”中的变化。", "warning");
}
