// Loaded only by browsers without ES modules (very old cores), which cannot run the page's
// script at all: say so where the page's notices appear. ES5 only.
(function () {
  var box = document.getElementById("notice");
  if (!box) return;
  box.hidden = false;
  box.className = "notice error";
  box.textContent = "您的浏览器版本过旧，无法自动保存和校验。请使用 Chrome、Edge、Firefox 112 以上版本，或360浏览器的“极速模式”。";
})();
