// engine-start.js: starts the validation engine's worker while the page is still being parsed,
// a few hundred ms before app.js (a module, run after parsing, with its imports) would. A classic
// script, tiny, loaded in <head>. The worker's messages are kept until app.js takes the worker
// over (startEngine); if this fails, app.js starts the worker itself.
(function () {
  "use strict";
  try {
    var url = new URL("../py-worker.js", document.currentScript.src);
    var worker = new Worker(url, { type: "module" });
    var messages = [];
    var keepMessage = function (event) { messages.push(event.data); };
    var keepError = function () { messages.push({ type: "worker-error" }); };
    worker.addEventListener("message", keepMessage);
    worker.addEventListener("error", keepError);
    window.formsiteEarlyWorker = {
      worker: worker,
      // Stops keeping and returns what was kept, in order (call and attach in one task).
      takeOver: function () {
        worker.removeEventListener("message", keepMessage);
        worker.removeEventListener("error", keepError);
        return messages;
      },
    };
  } catch (err) {
    window.formsiteEarlyWorker = null;
  }
})();
