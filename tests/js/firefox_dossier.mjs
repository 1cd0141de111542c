// Fills a dossier in Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core (no
// downloaded browser build). Called by tests/test_firefox.py:
//
//   node tests/js/firefox_dossier.mjs < JOB_JSON
//
// JOB_JSON: {firefox, url, downloads, steps, probe}. `steps` are what tests/test_browser.py's
// fill_dossier does, recorded by the Python test: {action: fill|check|select|click, label |
// name+role, group?, value?}; every control is found by its accessible name (its visible
// Chinese label), as a person would. `probe` = {label, value, restore}: a value typed and left
// (Tab) to read the message the engine puts next to the field. Prints one JSON line with what
// the page showed; the Python test asserts on it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const job = JSON.parse(readFileSync(0, "utf8"));
const ENGINE_READY_MS = 120_000;
const out = { console: [] };

const browser = await puppeteer.launch({
  browser: "firefox",
  protocol: "webDriverBiDi",
  executablePath: job.firefox,
  headless: true,
});
try {
  out.browser = await browser.version();
  const context = await browser.createBrowserContext({
    downloadBehavior: { policy: "allow", downloadPath: job.downloads },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (msg) => out.console.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => out.console.push(`pageerror: ${err.message}`));
  page.on("dialog", (dialog) => dialog.accept());

  const aria = (name, role) => `::-p-aria([name=${JSON.stringify(name)}]${role ? `[role=${JSON.stringify(role)}]` : ""})`;
  // The role a labelled control has: asked for together with the name, the query returns the
  // control itself (Firefox also names the <label> and the table cell around it).
  const ROLES = { fill: "textbox", select: "combobox", check: "checkbox" };
  async function control(step) {
    if (step.exact === false) return byNamePart(step.role, step.name);
    if (step.group) {  // an option of a group: a radio button or a checkbox
      // The group's name begins with its legend's label ("项目类型", then "（必填）" for
      // assistive technology), as Playwright's get_by_role(name=…) matches a part of it.
      await page.waitForSelector("fieldset legend");
      for (const group of await page.$$("fieldset")) {
        const named = await group.evaluate((el, name) =>
          (el.querySelector(":scope > legend")?.textContent || "").trim().startsWith(name), step.group);
        if (!named) continue;
        for (const handle of await group.$$(aria(step.label))) {
          if (await handle.evaluate((el) => el.matches("input"))) return handle;
        }
      }
      throw new Error(`no option ${step.label} in ${step.group}`);
    }
    return page.waitForSelector(aria(step.label ?? step.name, step.role ?? ROLES[step.action]));
  }
  // Playwright's get_by_role(role, name=...) matches a part of the name ("＋ 添加一行…").
  async function byNamePart(role, part) {
    const selector = role === "button" ? "button" : `[role=${role}]`;
    for (const handle of await page.$$(selector)) {
      const hit = await handle.evaluate((el, text) => el.checkVisibility() &&
        (el.getAttribute("aria-label") || el.textContent).includes(text), part);
      if (hit) return handle;
    }
    throw new Error(`no visible ${role} whose name contains ${part}`);
  }
  // As Playwright's fill: focus, select what is there, insert the text as one input event
  // (key by key is a BiDi round trip per character; the probe below is typed by keys).
  const fill = (handle, value) => handle.evaluate((el, text) => {
    el.focus();
    try { el.select(); } catch { /* inputs without a text selection, e.g. type=month */ }
    const inserted = text ? document.execCommand("insertText", false, text) : document.execCommand("delete");
    if (!inserted || el.value !== text) {
      el.value = text;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }, value);
  const engineReady = () => page.waitForSelector("body[data-engine=ready]", { timeout: ENGINE_READY_MS });
  // The validation triggered by the last edit has come back and is shown.
  const settled = () => page.waitForFunction(
    "!document.body.dataset.pending && document.body.dataset.validated", { timeout: 15_000 });
  const valueOf = async (label) => (await control({ label, action: "fill" })).evaluate((el) => el.value);

  await page.goto(job.url, { waitUntil: "load" });
  await engineReady();
  out.engine = await page.evaluate(() => document.body.dataset.engine);

  for (const step of job.steps) {
    const handle = await control(step);
    if (step.action === "fill") {
      await fill(handle, step.value);
    } else if (step.action === "select") {
      await handle.select(step.value);
    } else if (step.action === "check") {
      if (!(await handle.evaluate((el) => el.checked))) await handle.click();
    } else if (step.action === "click") {
      await handle.click();
    } else {
      throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
  await settled();
  out.verdict = await page.$eval("#verdict", (el) => el.textContent.trim());
  out.summary = await page.$$eval("#summary-list li", (items) => items.map((li) => li.textContent.trim()));

  // The engine's message beside a field, after the field is left.
  const probe = await control({ label: job.probe.label, action: "fill" });
  await probe.evaluate((el) => { el.value = ""; });
  await probe.type(job.probe.value);
  await probe.press("Tab");
  await settled();
  out.probe = await probe.evaluate((el) => ({
    invalid: el.getAttribute("aria-invalid"),
    message: (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent.trim() || "").join(" "),
  }));
  await probe.evaluate((el) => { el.value = ""; });
  await probe.type(job.probe.restore);
  await probe.press("Tab");
  await settled();
  out.verdict_after_probe = await page.$eval("#verdict", (el) => el.textContent.trim());

  // Download the bundle: Firefox writes it into job.downloads (a .part file until complete).
  await (await control({ name: "下载数据包", role: "button", exact: false })).click();
  const deadline = Date.now() + 30_000;
  let files = [];
  while (Date.now() < deadline) {
    files = readdirSync(job.downloads);
    if (files.some((f) => f.endsWith(".zip")) && !files.some((f) => f.endsWith(".part"))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  out.downloads = files.map((f) => join(job.downloads, f));
  out.notice = await page.evaluate(() => document.body.innerText.match(/已下载数据包[^\n]*/)?.[0] || "");

  // The draft survives a reload (IndexedDB of this browser context).
  await page.reload({ waitUntil: "load" });
  await engineReady();
  out.after_reload = {};
  for (const label of job.after_reload) out.after_reload[label] = await valueOf(label);
} catch (err) {
  out.error = String(err && err.stack || err);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + "\n");
