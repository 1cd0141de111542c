// offline.js: registers the service worker (sw.js at the site root, written by the build) that
// keeps this build's pages, runtime, wheels and definitions in the browser, so later visits
// make no request for them and the site opens while its server is down.
//
// Loaded by every page (base.html.j2). Where service workers are unavailable (an http://
// origin other than localhost, a browser with them disabled, an old core) it does nothing and
// the site works from the network as before. It decides nothing about forms or rules: the
// only text it shows is the notice that a new build (with its rule set) has replaced the
// cached one.

const SW_URL = new URL("../sw.js", import.meta.url);

function ruleSetShown() {
  const el = document.querySelector(".site-header .ruleset");
  return el ? el.textContent.trim().replace(/^规则集：/, "") : "";
}

function tellNewBuild(ruleset) {
  if (document.getElementById("sw-update")) return;
  const box = document.createElement("div");
  box.id = "sw-update";
  box.className = "notice";
  box.setAttribute("role", "status");
  const p = document.createElement("p");
  p.textContent = ruleset && ruleset !== ruleSetShown()
    ? `网站已更新，新的规则集“${ruleset}”已生效。刷新页面后按新规则校验；已填写的内容保存在本机，不会丢失。`
    : "网站已更新到新版本。刷新页面后使用新版本；已填写的内容保存在本机，不会丢失。";
  const reload = document.createElement("button");
  reload.type = "button";
  reload.textContent = "刷新页面";
  reload.addEventListener("click", () => location.reload());
  // Inside the sentence, not the notice's corner (that place is the close button's).
  p.append(" ", reload);
  box.append(p);
  const main = document.getElementById("main") || document.body;
  main.prepend(box);
}

function listen() {
  navigator.serviceWorker.addEventListener("message", ({ data }) => {
    // A new build replaced the cached one while this page was open (the browser looks for a
    // new sw.js at every visit; never on the first visit, when nothing was cached before).
    if (data && data.type === "replaced") tellNewBuild(data.ruleset);
  });
  navigator.serviceWorker.startMessages();
}

async function register() {
  try {
    await navigator.serviceWorker.register(SW_URL, { scope: new URL("./", SW_URL).pathname });
  } catch (err) {
    // Blocked, unsupported, or sw.js missing (a site built without the runtime): the site
    // works from the network as before.
    console.info("离线缓存不可用：", err && err.message ? err.message : err);
  }
}

function whenEngineSettled(then) {
  // On a dossier page the first visit downloads the runtime for the engine; precaching starts
  // only after that, so the service worker revalidates what the browser already holds instead
  // of downloading it a second time alongside.
  const body = document.body;
  if (!body.querySelector("#engine-status") || body.dataset.engine) {
    then();
    return;
  }
  const observer = new MutationObserver(() => {
    if (body.dataset.engine) {
      observer.disconnect();
      then();
    }
  });
  observer.observe(body, { attributes: true, attributeFilter: ["data-engine"] });
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  listen();
  if (document.readyState === "complete") whenEngineSettled(register);
  else window.addEventListener("load", () => whenEngineSettled(register), { once: true });
}
