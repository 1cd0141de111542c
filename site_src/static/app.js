// The dossier page: binds the generated form to a draft that is saved on every change, and
// shows what the engine answers: its pydantic validators run in Pyodide in a worker and say
// which problems there are, what every sum comes to, which fields and sections apply and which
// values count as filled in. The page decides none of this itself. Before Python is ready (or
// in a browser that cannot run it) it uses only data the build generated from the definitions:
// the conditions (conditions.js, held to the engine by tests/cases/conditions.json), the
// HTML-native required marks, the draft record and the draft's file name.

import { hidden } from "./conditions.js";
import * as drafts from "./drafts.js";

const meta = JSON.parse(document.getElementById("form-meta").textContent);
const form = document.getElementById("dossier-form");
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Draft: the data exactly as typed, saved to IndexedDB (drafts.js) after every change.

// The draft as found in storage when the page opened, before anything saved over it: once
// the engine is ready it says what changed since (open_draft). Both are set by openDraft().
let foundDraft = null;
let draft = newDraft(emptyData());

function emptyData() {
  return Object.fromEntries(meta.forms.map((f) => [f, {}]));
}

// A draft is the record the build generated (format, dossier, rule set) with its data, and,
// on the county and city pages, the bundles it carries: [{name, sha256}] (bytes in IndexedDB).
function newDraft(data, attachments = []) {
  const next = { ...structuredClone(meta.draft_record), data, attachments };
  for (const f of meta.forms) next.data[f] ??= {};
  return next;
}

// Saving: one write at a time, each of the latest draft; the state beside the buttons says
// only what is true: 正在保存 until the browser confirms, 已保存 with the time, or 未能保存.
const saving = { queue: Promise.resolve(), waiting: null, previous: null, lastHistory: Date.now(),
  stale: false, failedNotice: false };
const tabs = "BroadcastChannel" in self ? new BroadcastChannel("formsite-drafts") : null;
const TAB_ID = Math.random().toString(36).slice(2);
const RESCUE_KEY = `formsite:rescue:${meta.dossier}`;

function showSaveState(kind, text) {
  const el = $("save-state");
  el.textContent = text;
  el.className = `save-state ${kind}`;
  document.body.dataset.saved = kind;
}

// Save the draft. Resolves true once the browser has stored it, false if it refused (the
// person is told at once). ``before``: the draft being replaced, kept in the history.
function saveDraft({ before = null, reason = "" } = {}) {
  if (saving.blocked) { // the stored draft could not be read: never write over it
    showSaveState("failed", "未自动保存（见页面上方的提示）");
    return Promise.resolve(false);
  }
  // Saved under the current rules from now on: the record head follows the site.
  draft = { ...draft, ...structuredClone(meta.draft_record), saved_at: new Date().toISOString() };
  if (!before && saving.previous && Date.now() - saving.lastHistory > drafts.HISTORY_EVERY_MS) {
    // Every few minutes of editing, the version before goes into the history too.
    before = saving.previous;
    reason = "自动保存";
  }
  // A write queued and not started yet will take the latest draft when it starts.
  if (saving.waiting && !before && !saving.stale) return saving.waiting;
  showSaveState("saving", "正在保存……");
  const write = saving.queue.then(async () => {
    if (saving.waiting === write) saving.waiting = null;
    let history = { before, reason };
    if (saving.stale && !before) {
      // Another tab saved this draft since: what it saved goes into the history, not away.
      history = { before: await drafts.readDraft(meta.dossier), reason: "另一标签页保存的版本" };
      saving.stale = false;
    }
    const snapshot = structuredClone(draft);
    await drafts.writeDraft(meta.dossier, snapshot, history);
    saving.previous = snapshot;
    if (history.before) {
      saving.lastHistory = Date.now();
      refreshHistory();
    }
    if (!saving.waiting) {
      showSaveState("saved", `已保存 ${new Date().toLocaleTimeString("zh-CN")}`);
      localStorage.removeItem(RESCUE_KEY);
    }
    if (saving.failedNotice) { // the failure said on screen is over
      saving.failedNotice = false;
      showNotice("草稿已重新保存到本机浏览器。", "info");
    }
    tabs?.postMessage({ dossier: meta.dossier, tab: TAB_ID });
    askPersistence();
    return true;
  }).catch((err) => {
    saving.error = storageReason(err);
    saving.failedNotice = true;
    showSaveState("failed", "未能保存");
    showNotice(`草稿未能保存到本机浏览器（${storageReason(err)}）。最近的修改只在本页面中，请立即点击“下载数据包”保存，`
      + "或释放浏览器存储空间后再修改任意一项以重新保存。", "error");
    return false;
  });
  saving.waiting = write;
  saving.queue = write;
  return write;
}

// Leaving the page while a write is still queued: the browser may end the page before it
// runs, so the latest draft goes synchronously into localStorage too; openDraft() takes it
// when it is newer than the stored one.
window.addEventListener("pagehide", () => {
  if (!saving.waiting && document.body.dataset.saved !== "saving") return;
  try {
    localStorage.setItem(RESCUE_KEY, JSON.stringify(draft));
  } catch { /* nothing more can be done while the page goes */ }
});

// The browser closed the storage under the page (site data cleared, or evicted): save what
// is on screen again at once, with the attached bundles the worker still holds.
drafts.onLost(() => {
  // The browser may still be deleting the old database: save once it is done.
  setTimeout(() => saveDraft().then((ok) => {
    if (ok) showNotice("本机浏览器中保存的草稿被清除了（可能清理了浏览器数据）。本页面中的内容已重新保存；草稿历史已无法找回。", "warning");
    if (ok && meta.attachments && draft.attachments.length && engine.ready) restoreAttachmentBytes();
  }), 500);
});

function storageReason(err) {
  const name = err?.name || "";
  if (name === "QuotaExceededError") return "浏览器存储空间已满";
  if (name === "InvalidStateError") return "浏览器存储被关闭，可能是浏览器数据被清除";
  if (name === "UnknownError") return "浏览器存储不可用，可能处于无痕模式或磁盘已满";
  if (name === "AbortError") return "浏览器存储的写入被中断";
  console.warn("draft storage failed", err);
  return "浏览器存储出错";
}

// Ask once that this origin's storage is not evicted under pressure. The browser decides.
let persistAsked = false;
function askPersistence() {
  if (persistAsked || !navigator.storage?.persist) return;
  persistAsked = true;
  navigator.storage.persist().then((granted) => {
    $("save-state").title = granted ? "浏览器已同意长期保留本站的草稿" : "浏览器可能在存储空间不足时清除草稿，请定期下载数据包";
  }, () => {});
}

// Another tab of the same page saved the draft: this tab's copy is now stale, and saving it
// would overwrite the other tab's work.
tabs?.addEventListener("message", ({ data }) => {
  if (data.dossier !== meta.dossier || data.tab === TAB_ID || saving.stale) return;
  saving.stale = true;
  showSaveState("saving", "另一标签页已修改");
  showNotice("本草稿已在另一个浏览器标签页中被修改。请只在一个标签页中填写：刷新本页即可载入最新内容。"
    + "如果继续在本页修改，本页的内容会成为当前草稿，另一标签页保存的版本存入“草稿历史”，两边都不会丢失。", "warning");
});

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

function fillAll() {
  for (const [path, field] of Object.entries(meta.fields)) {
    if (field.computed) continue;
    if (field.type === "table") {
      renderTable(path);
    } else if ((field.type === "choice" || field.type === "multichoice")
      && !form.querySelector(`select[data-path="${CSS.escape(path)}"]`)) {
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
  const container = form.querySelector(`[data-table="${CSS.escape(path)}"]`);
  const template = form.querySelector(`template[data-row-for="${CSS.escape(path)}"]`);
  const body = container.tBodies ? container.tBodies[0] : container; // a <table> or a card list
  const rows = Array.isArray(getAt(path)) ? getAt(path) : [];
  body.replaceChildren();
  rows.forEach((row, i) => {
    const item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".idx").textContent = String(i + 1);
    if (!container.tBodies) item.dataset.path = `${path}.${i}`; // a card: issues of the row land here
    for (const el of item.querySelectorAll("[data-path]")) {
      const column = el.dataset.path;
      el.dataset.col = column;
      el.dataset.path = `${path}.${i}.${column}`;
      el.id = `f-${el.dataset.path.replaceAll(".", "-")}`;
      // Cells of a row table are named by an aria-label with the row number; fields of a card
      // by their visible <label>.
      if (el.hasAttribute("aria-label")) el.setAttribute("aria-label", el.getAttribute("aria-label").replace("{n}", i + 1));
      el.removeAttribute("required");
      fillControl(el, row?.[column]);
      const label = item.querySelector(`label[data-label-for="${CSS.escape(column)}"]`);
      if (label) label.htmlFor = el.id;
      const msg = el.closest("td, .row")?.querySelector(".msg");
      if (msg) msg.id = `e-${el.id}`;
    }
    const cardMsg = item.querySelector(".card-msg");
    if (cardMsg) cardMsg.id = `e-${path.replaceAll(".", "-")}-${i}`;
    // A card's fields share their labels (联系人, 联系电话 in every card): its heading (number
    // and project) describes each of them, so a screen reader says which card a field is in.
    const heading = container.tBodies ? null : item.querySelector("h4");
    if (heading) {
      heading.id = `t-${path.replaceAll(".", "-")}-${i}`;
      for (const el of item.querySelectorAll("[data-path]:not(output)")) el.setAttribute("aria-describedby", heading.id);
    }
    const remove = item.querySelector(".row-remove");
    if (remove) {
      remove.setAttribute("aria-label", remove.getAttribute("aria-label").replace("{n}", i + 1));
      remove.addEventListener("click", () => removeRow(path, i));
    }
    body.append(item);
  });
  const add = form.querySelector(`[data-add-for="${CSS.escape(path)}"]`);
  if (add) add.disabled = rows.length >= meta.fields[path].max_rows;
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
  // Whether the row holds anything is the engine's call (its blank test); before it has
  // answered, a row anyone typed into is treated as holding something.
  const filled = engineView ? holdsTyped(`${path}.${index}`)
    : row !== null && typeof row === "object" && Object.keys(row).length > 0;
  if (filled && !confirm(`确定删除第${index + 1}行吗？该行已填写的内容将被删除。`)) return;
  rows.splice(index, 1);
  forgetLeft(path);
  renderTable(path);
  changed();
  const next = form.querySelectorAll(`table[data-table="${CSS.escape(path)}"] tbody tr`)[index];
  (next?.querySelector("[data-path]") || form.querySelector(`[data-add-for="${CSS.escape(path)}"]`)).focus();
}

// ---------------------------------------------------------------------------------------------
// What the engine answered last: which fields and sections apply, which values it counts as
// filled in, and its normalised data (with every sum). null until its first answer.

let engineView = null;

function takeEngineView(result) {
  const typed = result.filled; // the engine's blank test (a table of untouched preset rows is blank)
  const holding = new Set(); // every filled path and every path above one
  for (const p of typed) {
    const parts = p.split(".");
    for (let i = 1; i <= parts.length; i += 1) holding.add(parts.slice(0, i).join("."));
  }
  engineView = {
    hiddenFields: new Set(result.hidden_fields),
    hiddenSections: new Set(result.hidden_sections),
    filled: new Set(typed),
    holding,
    todo: new Set(result.todo),
    normalised: result.normalised || {},
  };
}

// Shown and hidden by the engine once it has answered; before that (and without the engine)
// by conditions.js from the applicability data the build generated, in the engine's order.
function applyConditions() {
  const before = engineView ? null : hidden(meta.applicability, draft.data);
  const hiddenSections = engineView ? engineView.hiddenSections : new Set(before.sections);
  const hiddenFields = engineView ? engineView.hiddenFields : new Set(before.fields);
  for (const el of form.querySelectorAll("[data-when]")) {
    el.hidden = el.dataset.section ? hiddenSections.has(el.dataset.section) : hiddenFields.has(el.dataset.field);
  }
}

// A choice that follows another (县 under 设区市) offers only the options of the chosen value:
// the groups the build generated from the rule set's reference data. Whether the value fits is
// the engine's verdict (choice.not_under); this only keeps the list short.
function followParents() {
  for (const select of form.querySelectorAll("select[data-follows]")) {
    const parent = getAt(select.dataset.follows) ?? "";
    for (const group of select.querySelectorAll("optgroup")) group.hidden = group.dataset.parent !== parent;
  }
}

// A sum shows only the engine's figure. Until the engine has answered there is none: "—".
// After an edit the last figure stays until the next answer replaces it (milliseconds).
function showSums() {
  for (const out of form.querySelectorAll("output[data-computed]")) {
    const [formId, fieldId] = out.dataset.path.split(".");
    const value = engineView?.normalised[formId]?.[fieldId];
    out.value = value == null ? "—" : String(value);
    out.title = !engineView ? "待校验引擎计算" : value == null ? "无法计算：所依据的数值有误或未填写" : "由校验引擎计算";
  }
}

// Whether the engine counted a value at, below or above this data path as filled in.
function holdsTyped(path) {
  if (!engineView) return false;
  if (engineView.holding.has(path)) return true;
  const parts = path.split(".");
  for (let i = 1; i < parts.length; i += 1) {
    if (engineView.filled.has(parts.slice(0, i).join("."))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Issues: next to each field and in the summary

let shownPaths = [];
// A blank form is a to-do list, not a list of errors. What the engine calls to do (an error
// about something not filled in yet: its ``todo``) shows as 待填写, in grey, until the person
// has been in that field and left it, or asks to download; then it is an error like any other.
const touched = new Set(); // "form.field" edited here
const left = new Set(); // data paths of controls the person has left
let showAllInline = false;

// Rows move up when one is removed: what was left in a row is not carried to the next one.
function forgetLeft(table) {
  for (const path of [...left]) if (path.startsWith(`${table}.`)) left.delete(path);
}

const isTodo = (issue) => engineView?.todo.has(issue.path) && !showAllInline && !left.has(issue.path);

// A format error on the field being typed in waits until the person leaves it (or pauses
// with the value unchanged): "应为18位，填写的是4位" after four keystrokes is noise.
let typingIn = null;
form.addEventListener("focusout", (event) => {
  const path = event.target.dataset?.optionOf || event.target.dataset?.path;
  const wasNew = path && !left.has(path);
  if (path) left.add(path);
  // Going to the summary (to jump elsewhere): redrawing it now would pull the link away from
  // under the click; the next verdict redraws it.
  if (event.relatedTarget?.closest?.(".summary")) return;
  if (typingIn || wasNew) {
    typingIn = null;
    if (engineView) showIssues(lastIssues.issues, lastIssues.options);
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
    el.classList.remove("has-error", "has-warning", "has-todo");
  }
  shownPaths = [];
}

function elementFor(path) {
  return form.querySelector(`[data-path="${CSS.escape(path)}"]`)
    || form.querySelector(`[data-field="${CSS.escape(path)}"]`);
}

function msgFor(el) {
  if (el.tagName === "FIELDSET" || el.classList.contains("table-field")) return el.querySelector(":scope > .msg");
  if (el.classList.contains("card")) return el.querySelector(":scope > .card-msg");
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

let lastVerdict = "";

function showIssues(unordered, options = {}, verdictText = lastVerdict) {
  lastVerdict = verdictText;
  lastIssues = { issues: unordered, options };
  const issues = documentOrder(unordered);
  clearIssues();
  const list = $("summary-list");
  const todoList = $("todo-list");
  list.replaceChildren();
  todoList.replaceChildren();
  let wrong = 0;
  for (const issue of issues) {
    const el = elementFor(issue.path);
    const todo = isTodo(issue);
    const kind = todo ? "todo" : issue.severity; // "todo" | "error" | "warning"
    if (kind === "error") wrong += 1;
    const deferred = typingIn && el === typingIn && !el.hasAttribute("data-had-issue");
    if (el && !el.closest("[hidden]") && !deferred) markField(el, issue, kind);
    const li = document.createElement("li");
    li.className = kind;
    const a = document.createElement("a");
    a.href = el ? `#${el.id}` : "#";
    a.textContent = todo ? issue.label || issue.message : `${kind === "warning" ? "提醒" : "错误"}：${issue.message}`;
    if (todo) a.title = issue.message;
    a.addEventListener("click", (event) => {
      event.preventDefault();
      if (!el) return;
      el.scrollIntoView({ block: "center" });
      (el.matches("input, textarea, select") ? el : el.querySelector("input, textarea, button") || el).focus();
    });
    li.append(a);
    (todo ? todoList : list).append(li);
  }
  const todoCount = todoList.children.length;
  $("todo-title").hidden = todoCount === 0;
  $("todo-title").textContent = `待填写（${todoCount}处）`;
  list.hidden = list.children.length === 0;
  todoList.hidden = todoCount === 0;
  $("summary-empty").textContent = "暂无问题。";
  $("summary-empty").hidden = issues.length > 0;
  const verdict = $("verdict");
  // The engine's sentence; rewritten only when it changes (a live region repeats each write).
  if (verdict.textContent !== verdictText) verdict.textContent = verdictText;
  verdict.className = `verdict ${wrong ? "bad" : todoCount ? "pending" : "good"}`;
}

// Beside the field: the message in red (an error), amber (a warning) or grey (待填写).
function markField(el, issue, kind) {
  const msg = msgFor(el);
  if (kind === "error") el.setAttribute("aria-invalid", "true");
  el.classList.add(`has-${kind}`);
  if (msg) {
    const text = kind === "todo" ? "待填写" : issue.message;
    msg.hidden = false;
    if (!msg.textContent.includes(text)) msg.textContent = msg.textContent ? `${msg.textContent} ${text}` : text;
    // The strongest kind wins the colour when one message box holds several.
    const rank = { todo: 0, warning: 1, error: 2 };
    const current = ["error", "warning", "todo"].find((k) => msg.classList.contains(k));
    msg.className = `msg ${current && rank[current] > rank[kind] ? current : kind}`;
    const described = new Set((el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(msg.id);
    el.setAttribute("aria-describedby", [...described].join(" "));
  }
  shownPaths.push(el);
}

// No verdict of the page's own while there is none from the engine: say what is happening.
function showNoVerdict() {
  const verdict = $("verdict");
  verdict.textContent = engine.failed
    ? "未校验：本浏览器无法运行校验引擎，填写内容已自动保存"
    : "完整校验加载中，填写内容已自动保存";
  verdict.className = "verdict pending";
  $("summary-empty").textContent = engine.failed
    ? "本浏览器无法运行校验引擎，不能列出问题。请在新版浏览器中导入草稿后校验。"
    : "校验引擎加载完成后，将在此列出全部问题。";
  $("summary-empty").hidden = false;
}

// ---------------------------------------------------------------------------------------------
// The engine in the worker

const engine = { worker: null, ready: false, failed: false, seq: 0, pending: new Map(), restarts: [] };
// A runtime that fails again and again (the same content breaks it each time) is not
// restarted forever: after this many failures within a minute the page stops trying.
const MAX_RESTARTS_PER_MINUTE = 2;

function startEngine({ snapshot = true } = {}) {
  let worker;
  let early = [];
  // The first start: the worker engine-start.js started during parsing, with what it said so far.
  const started = window.formsiteEarlyWorker;
  window.formsiteEarlyWorker = null;
  if (started && snapshot) {
    worker = started.worker;
    early = started.takeOver();
  } else {
    try {
      const url = new URL("../py-worker.js", import.meta.url);
      if (!snapshot) url.searchParams.set("snapshot", "off");
      worker = new Worker(url, { type: "module" });
    } catch (err) {
      engineFailed("本浏览器不支持模块化 Web Worker，无法加载校验引擎。表单仍可填写并自动保存。");
      return;
    }
  }
  engine.worker = worker;
  const onMessage = (msg) => {
    if (msg.type === "progress") {
      $("engine-progress").value = msg.fraction;
      $("engine-text").textContent = msg.text;
    } else if (msg.type === "ready") {
      engine.ready = true;
      $("engine-progress").hidden = true;
      $("engine-text").textContent = `校验引擎已就绪（${(msg.ms / 1000).toFixed(1)} 秒）`;
      document.body.dataset.engine = "ready";
      // fresh | local (this browser's snapshot) | published (the site's, over a fast link)
      document.body.dataset.engineStart = msg.restored || "fresh";
      draftOpened.then(restoreAttachments).finally(() => {
        validateNow();
        tellAboutFoundDraft();
      });
    } else if (msg.type === "error" && msg.code === "retry") {
      // The engine snapshot kept in this browser was unusable (and is deleted): start the
      // normal way, once, without one.
      worker.terminate();
      if (engine.worker === worker) startEngine({ snapshot: false });
    } else if (msg.type === "error") {
      engineFailed(msg.text);
    } else if (msg.type === "snapshot") {
      document.body.dataset.engineSnapshot = msg.stored ? "stored" : "failed";
    } else if (msg.type === "fatal") {
      restartEngine(worker);
    } else if (msg.type === "result") {
      const waiter = engine.pending.get(msg.id);
      engine.pending.delete(msg.id);
      if (waiter) (msg.ok ? waiter.resolve : waiter.reject)(msg.ok ? msg.value : new Error(msg.error));
    } else if (msg.type === "worker-error") {
      onError();
    }
  };
  const onError = () => {
    if (engine.ready) restartEngine(worker);
    else engineFailed("校验引擎启动失败。表单仍可填写并自动保存。");
  };
  worker.addEventListener("message", ({ data }) => onMessage(data));
  worker.addEventListener("error", onError);
  for (const msg of early) onMessage(msg);
}

// The worker's Python runtime failed (or the worker died): never talk to it again. Every call
// waiting on it fails with a Chinese sentence, a fresh worker starts, and once it is ready the
// draft (never touched by any of this) is validated again and the attached bundles handed over.
function restartEngine(worker) {
  if (worker !== engine.worker) return; // already replaced
  worker.terminate();
  engine.worker = null;
  engine.ready = false;
  engineView = null;
  document.body.dataset.engine = "restarting";
  for (const waiter of engine.pending.values()) waiter.reject(new Error("校验引擎出错，正在重新启动"));
  engine.pending.clear();
  const now = Date.now();
  engine.restarts = engine.restarts.filter((t) => now - t < 60_000);
  if (engine.restarts.length >= MAX_RESTARTS_PER_MINUTE) {
    engineFailed("校验引擎多次运行出错，已停止重新启动。填写内容已保存在本机；请刷新页面重试，"
      + "或下载草稿后联系网站管理员。");
    return;
  }
  engine.restarts.push(now);
  showNotice("校验引擎运行出错，已自动重新启动。填写内容没有受到影响，重新启动后会再次校验。", "warning");
  $("engine-progress").hidden = false;
  $("engine-progress").value = 0;
  $("engine-text").textContent = "正在重新启动校验引擎……";
  showNoVerdict();
  startEngine();
}

function engineFailed(text) {
  if (engine.ready) return;
  engine.worker?.terminate();
  engine.failed = true;
  document.body.dataset.engine = "failed";
  $("btn-export").textContent = "下载草稿（未校验）";
  $("engine-progress").hidden = true;
  $("engine-text").textContent = text;
  $("engine-status").classList.add("failed");
  showNoVerdict();
  showSums();
}

function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    if (!engine.worker) {
      reject(new Error("校验引擎尚未就绪，请稍候"));
      return;
    }
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
    const result = JSON.parse(await call("validate", JSON.stringify({ dossier: meta.dossier, data: draft.data,
      attachments: attachmentRefs() })));
    document.body.dataset.validateMs = (performance.now() - started).toFixed(2);
    // An edit arrived meanwhile: this verdict is about an older draft; the next one follows.
    if (!dirty) {
      takeEngineView(result);
      applyConditions();
      showSums();
      showIssues([...result.errors, ...result.warnings], {}, result.verdict);
      if (meta.attachments) showAttachments(result.attachments, [...result.errors, ...result.warnings]);
      if ($("preview")) showPreview(result.preview);
      document.body.dataset.validated = String(Number(document.body.dataset.validated || 0) + 1);
    }
  } catch (err) {
    if (!engine.ready) return; // the runtime failed: restartEngine says so and validates again
    $("verdict").textContent = "校验出错，结果未知";
    $("verdict").className = "verdict bad";
    showNotice(`校验时出现内部错误：${err.message}`, "error");
  } finally {
    inFlight = false;
    if (dirty) validateNow();
    else delete document.body.dataset.pending;
  }
}

// The notes about a draft found in storage (rules or forms changed since it was saved, data
// the current forms have no field for) come from the engine, as for an imported bundle.
async function tellAboutFoundDraft() {
  if (!foundDraft) return;
  const told = foundDraft;
  foundDraft = null; // once: a restarted engine does not say it again
  try {
    const { notes } = JSON.parse(await call("open_draft", JSON.stringify({ dossier: meta.dossier, draft: told })));
    if (notes.length) showNotice("已载入本机保存的草稿，请注意：", "warning", notes);
  } catch (err) {
    console.warn("open_draft failed", err);
  }
}

// ---------------------------------------------------------------------------------------------
// Change handling

function refresh() {
  applyConditions();
  followParents();
  if (engine.ready) validateNow();
  else showNoVerdict();
}

function changed(history = {}) {
  if (engine.ready) document.body.dataset.pending = "1"; // cleared when the verdict is shown
  saveDraft(history);
  refresh();
}

form.addEventListener("input", (event) => {
  // Until the stored draft is read, what is typed stays on screen and is merged then.
  if (!draftOpen) return;
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

// Replacing the whole draft (import, clear, restore): the one replaced goes into the
// history in the same write. If the browser cannot store it, nothing changes on screen.
async function replaceDraft(next, reason) {
  const before = draft;
  draft = newDraft(next.data, next.attachments || []);
  ensurePresets();
  if (!(await saveDraft({ before, reason }))) {
    draft = before;
    return false;
  }
  foundDraft = null; // what the engine will say about the stored draft no longer applies
  touched.clear();
  left.clear();
  showAllInline = false;
  fillAll();
  if (meta.attachments) showAttachments(null);
  refreshHistory();
  return true;
}

// Without the engine (a browser too old for it) the draft can still leave this browser:
// the record and the file name the build generated, with the data; the site and the CLI open
// it (saying it carries no checksum) and revalidate it.
function downloadDraftJson() {
  const record = { ...meta.draft_record, data: draft.data };
  const name = meta.draft_file_name;
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
    const result = JSON.parse(await call("export_bundle", JSON.stringify({ dossier: meta.dossier, data: draft.data,
      attachments: attachmentRefs() })));
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
  // Too large for this page: refused before reading a byte (the engine's limit and words).
  if (file.size > meta.import_limits.max_bytes) {
    showNotice(`导入失败：${meta.import_limits.too_large} 当前草稿未作任何改动。`, "error");
    return;
  }
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
  const holdsSomething = touched.size > 0 || meta.forms.some((f) => holdsTyped(f));
  if (holdsSomething && !confirm(`导入“${file.name}”将替换当前填写的内容。当前草稿会存入“草稿历史”，`
    + "可随时恢复。继续导入吗？")) return;
  let attachments = [];
  try {
    attachments = await keepAttachments(result.attachments || []);
  } catch (err) {
    showNotice(`导入失败：浏览器无法保存数据包中的文件（${err.message}）。当前草稿未作任何改动。`, "error");
    return;
  }
  if (!(await replaceDraft({ data: result.data, attachments }, "导入前"))) {
    showNotice(`导入失败：浏览器未能保存导入的内容（${saving.error}）。当前草稿未作任何改动。`, "error");
    return;
  }
  showNotice(`已导入“${file.name}”。导入前的草稿已存入“草稿历史”，可随时恢复。`,
    result.notes.length ? "warning" : "info", result.notes);
});

$("btn-clear").addEventListener("click", async () => {
  if (!confirm("确定清空全部填写内容吗？清空前的草稿会存入“草稿历史”。")) return;
  if (await replaceDraft({ data: emptyData() }, "清空前")) {
    showNotice("已清空。清空前的草稿已存入“草稿历史”，可随时恢复。", "info");
  }
});

// The history of earlier versions of this draft (drafts.js), newest first, each restorable.
// Restoring puts the current draft into the history too, so a restore can itself be undone.
async function refreshHistory() {
  let versions = [];
  try {
    versions = await drafts.listHistory(meta.dossier);
  } catch (err) {
    console.warn("draft history unreadable", err);
  }
  $("btn-history").textContent = `草稿历史（${versions.length}）`;
  $("btn-history").disabled = versions.length === 0;
  const list = $("history-list");
  list.replaceChildren(...versions.map((v) => {
    const li = document.createElement("li");
    const when = v.saved_at ? new Date(v.saved_at).toLocaleString("zh-CN") : "时间不详";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "恢复此版本";
    button.setAttribute("aria-label", `恢复${when}（${v.reason}）的草稿`);
    button.addEventListener("click", () => restoreVersion(v.id, when));
    li.append(`${when}（${v.reason}） `, button);
    return li;
  }));
}

async function restoreVersion(id, when) {
  const version = await drafts.readHistory(id).catch(() => null);
  if (!version?.data) {
    showNotice("无法读取该版本的草稿。", "error");
    return;
  }
  if (!confirm(`恢复${when}的草稿？当前内容会先存入“草稿历史”。`)) return;
  if (await replaceDraft({ data: version.data, attachments: version.attachments || [] }, "恢复前")) {
    showNotice(`已恢复${when}的草稿。恢复前的内容已存入“草稿历史”。`, "info");
    $("history").hidden = true;
    $("btn-history").setAttribute("aria-expanded", "false");
    $("btn-history").focus();
    putStoredAttachments().then(() => validateNow());
  } else {
    showNotice(`恢复失败：浏览器未能保存（${saving.error}）。当前草稿未作任何改动。`, "error");
  }
}

$("btn-history").addEventListener("click", () => {
  const panel = $("history");
  panel.hidden = !panel.hidden;
  $("btn-history").setAttribute("aria-expanded", String(!panel.hidden));
  if (!panel.hidden) $("history-list").querySelector("button")?.focus();
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
// Attached bundles (county page: project bundles; city page: county bundles). The page keeps
// their bytes in IndexedDB by sha256 and names them in the draft; the engine opens, checks and
// lists them, and keeps one row of meta.attachments.table per bundle (sync_rows).

const IDB = { name: "formsite-attachments", store: "files" };

function idbRequest(mode, action) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(IDB.name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(IDB.store);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(IDB.store, mode);
      const request = action(tx.objectStore(IDB.store));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("存储被中止"));
    };
  });
}

const attachmentRefs = () => draft.attachments.map((a) => a.sha256);

// Store attached bundles' bytes (base64) and return the draft's entries for them.
async function keepAttachments(items) {
  for (const item of items) await idbRequest("readwrite", (store) => store.put(item.base64, item.sha256));
  return items.map((item) => ({ name: item.name, sha256: item.sha256 }));
}

// Hand the worker the bundles the draft names (after a reload or a restore). Bundles whose
// bytes are no longer in this browser are named, and dropped from the draft with their rows.
async function putStoredAttachments() {
  if (!meta.attachments || !draft.attachments.length) return;
  const files = [];
  const missing = [];
  for (const a of draft.attachments) {
    // A read that fails throws (the rows stay; restoreAttachments says so); only a bundle
    // that is really gone is dropped below.
    const base64 = await idbRequest("readonly", (store) => store.get(a.sha256));
    if (typeof base64 === "string") files.push({ name: a.name, base64 });
    else missing.push(a);
  }
  if (files.length) await call("put_attachments", JSON.stringify({ dossier: meta.dossier, files }));
  if (missing.length) {
    const before = structuredClone(draft); // what was typed for them stays restorable
    draft.attachments = draft.attachments.filter((a) => !missing.includes(a));
    await syncRows({ before, reason: "移除缺失的数据包前" });
    showNotice(`以下${meta.attachments.label}的文件已不在本机浏览器中，请重新导入：`, "warning",
      missing.map((a) => a.name));
  }
}

// After the browser cleared the site's storage: the worker still holds the attached bundles;
// store their bytes again so a reload finds them.
async function restoreAttachmentBytes() {
  try {
    const { files } = JSON.parse(await call("attachment_files", JSON.stringify({ attachments: attachmentRefs() })));
    await keepAttachments(files);
  } catch (err) {
    showNotice(`无法重新保存已导入的${meta.attachments.label}（${err.message}）。请在刷新页面之前点击“下载数据包”。`, "error");
  }
}

function restoreAttachments() {
  return putStoredAttachments().catch((err) => {
    showNotice(`无法读取本机保存的${meta.attachments.label}：${err.message}。请重新导入。`, "error");
  });
}

// Rows follow the bundles: the engine adds, keeps and drops rows and fills their names.
async function syncRows(history = {}) {
  const answer = JSON.parse(await call("sync_rows", JSON.stringify({
    dossier: meta.dossier, data: draft.data, attachments: attachmentRefs() })));
  draft.data = answer.data;
  renderTable(meta.attachments.table);
  changed(history);
}

async function attachFiles(fileList) {
  if (!engine.ready) {
    showNotice(`校验引擎加载完成后才能导入${meta.attachments.label}，请稍候。`, "error");
    return;
  }
  const files = [];
  const refused = [];
  for (const file of fileList) {
    if (file.size > meta.attachments.max_bytes) refused.push(`${file.name}：${meta.attachments.too_large}`);
    else files.push({ name: file.name, base64: toBase64(await file.arrayBuffer()) });
  }
  if (files.length) {
    try {
      const { items } = JSON.parse(await call("put_attachments", JSON.stringify({ dossier: meta.dossier, files })));
      const kept = await keepAttachments(items.map((item, i) => ({ ...item, base64: files[i].base64 })));
      draft.attachments.push(...kept);
      await syncRows();
    } catch (err) {
      showNotice(`导入${meta.attachments.label}时出错：${err.message}。已导入的内容未改动。`, "error");
      return;
    }
  }
  showNotice(refused.length ? `有${refused.length}个文件未导入：` : `已导入${files.length}个${meta.attachments.label}。`
    + "每个数据包的校验结果见列表；有问题的会注明原因。", refused.length ? "error" : "info", refused);
}

async function detach(index) {
  const item = draft.attachments[index];
  if (!engine.ready) {
    showNotice(`校验引擎未就绪，暂时不能移除${meta.attachments.label}。`, "error");
    return;
  }
  if (!confirm(`移除“${item.name}”？为它填写的内容也会一并移除。移除前的草稿会存入“草稿历史”。`)) return;
  const before = structuredClone(draft);
  draft.attachments.splice(index, 1);
  forgetLeft(meta.attachments.table);
  try {
    await syncRows({ before, reason: `移除“${item.name}”前` });
  } catch (err) {
    draft = before;
    showNotice(`移除失败：${err.message}。草稿未作任何改动。`, "error");
    renderTable(meta.attachments.table);
    return;
  }
  $("notice").hidden = true;
}

// The list of attached bundles with the engine's word on each (null: names only, until then),
// and what the engine found about each in this dossier (another county, a duplicate, …).
function showAttachments(summaries, issues = []) {
  const list = $("attach-list");
  list.replaceChildren();
  draft.attachments.forEach((a, i) => {
    const s = summaries?.[i];
    const li = document.createElement("li");
    const own = issues.filter((issue) => issue.path === `${meta.attachments.table}.${i}`);
    const refused = own.some((x) => x.severity === "error");
    li.className = !s ? "pending" : s.readable && s.ok && !refused ? "good" : "bad";
    const name = document.createElement("strong");
    name.textContent = a.name;
    const status = document.createElement("span");
    status.className = "attach-status";
    // The engine's reasons follow below; the status only sums them up.
    status.textContent = !s ? "（待校验）" : refused ? "不能采用，原因如下：" : s.verdict;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "row-remove";
    remove.textContent = "移除";
    remove.setAttribute("aria-label", `移除${a.name}（第${i + 1}个）`);
    remove.addEventListener("click", () => detach(i));
    li.append(name, " ", status, " ", remove);
    for (const issue of own) {
      const p = document.createElement("p");
      p.className = `msg ${issue.severity}`;
      p.textContent = issue.message;
      li.append(p);
    }
    for (const note of own.length ? [] : s?.notes || []) { // what the engine said above repeats them
      const p = document.createElement("p");
      p.className = "help";
      p.textContent = note;
      li.append(p);
    }
    list.append(li);
  });
  $("attach-empty").hidden = draft.attachments.length > 0;
}

// The list the engine builds from the attached bundles (the city's 附件5), cell by cell as
// printed: the page only lays it out.
function showPreview(preview) {
  $("preview").hidden = !preview;
  if (!preview) return;
  const table = $("preview-table");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const column of preview.columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column.group ? `${column.group} ${column.label}` : column.label;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of preview.rows) {
    const tr = body.insertRow();
    tr.className = row.kind;
    // A subtotal or the total names itself across the columns the engine says, as printed.
    const span = preview.label_span;
    const cells = row.kind === "project" ? row.cells : [row.label, ...row.cells.slice(span)];
    cells.forEach((text, i) => {
      const cell = tr.insertCell();
      cell.textContent = text;
      if (row.kind !== "project" && i === 0) cell.colSpan = span;
    });
  }
  const gaps = $("preview-gaps");
  gaps.replaceChildren(...preview.gaps.map((gap) => {
    const li = document.createElement("li");
    li.textContent = gap;
    return li;
  }));
}

if (meta.attachments) {
  $("btn-attach").addEventListener("click", () => {
    $("attach-file").value = "";
    $("attach-file").click();
  });
  $("attach-file").addEventListener("change", () => attachFiles([...$("attach-file").files]));
  const drop = $("attach-drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    attachFiles([...event.dataTransfer.files]);
  });
}

// ---------------------------------------------------------------------------------------------

// For benchmarks and tests, and for support staff in the developer console.
window.formsiteEngine = { call, get ready() { return engine.ready; } };

// ---------------------------------------------------------------------------------------------
// Start: the engine loads while the stored draft is read. What was typed before this script
// ran (a slow server) is kept: the stored draft merges under what is on screen, never over it.

let draftOpen = false;

function typedOnScreen() {
  const typed = [];
  for (const el of form.querySelectorAll("input[data-path], textarea[data-path], select[data-path]")) {
    const edited = el.type === "checkbox" ? el.checked !== el.defaultChecked
      // A select with no option marked selected shows its first one.
      : el.tagName === "SELECT" ? el.selectedIndex !== Math.max(0, [...el.options].findIndex((o) => o.defaultSelected))
        : el.value !== el.defaultValue;
    if (edited) typed.push([el.dataset.path, controlValue(el)]);
  }
  const groups = new Set([...form.querySelectorAll("[data-option-of]")]
    .filter((input) => input.checked !== input.defaultChecked).map((input) => input.dataset.optionOf));
  for (const path of groups) typed.push([path, groupValue(path)]);
  return typed;
}

async function openDraft() {
  let stored = null;
  try {
    stored = await drafts.readDraft(meta.dossier);
  } catch (err) {
    saving.blocked = true;
    showNotice(`无法读取本机保存的草稿（${storageReason(err)}）。为免覆盖它，本页暂不自动保存：`
      + "请刷新页面重试；如需现在填写，填写完请点击“下载数据包”保存。", "error");
  }
  try { // a draft the page could only rescue into localStorage as it closed
    const rescued = JSON.parse(localStorage.getItem(RESCUE_KEY) || "null");
    if (rescued?.data && typeof rescued.data === "object" && !saving.blocked
        && (!stored || String(rescued.saved_at) > String(stored.saved_at))) {
      stored = rescued;
      saving.rescued = true;
    }
  } catch { /* an unreadable rescue copy: the stored draft stands */ }
  if (stored?.data && typeof stored.data === "object") {
    foundDraft = stored;
    draft = { ...structuredClone(stored), attachments: Array.isArray(stored.attachments) ? stored.attachments : [] };
    for (const f of meta.forms) draft.data[f] ??= {};
    saving.previous = stored;
  }
  const typed = typedOnScreen();
  for (const [path, value] of typed) {
    setAt(path, value);
    touched.add(path.split(".").slice(0, 2).join("."));
  }
  draftOpen = true;
  ensurePresets();
  fillAll();
  showSums();
  if (typed.length || saving.rescued) saveDraft();
  else if (stored && !saving.blocked) showSaveState("saved", `已载入本机草稿${stored.saved_at ? `（保存于 ${new Date(stored.saved_at).toLocaleString("zh-CN")}）` : ""}`);
  refreshHistory();
  if (meta.attachments) showAttachments(null);
}

startEngine();
const draftOpened = openDraft();
