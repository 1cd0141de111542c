"""Build-time helpers for ``build.py``; they run only in CPython, never in the browser.

Among them: :mod:`builder.wheels` builds the ``formsite`` engine wheel and fetches the pinned
Pyodide wheels of its dependencies; :mod:`builder.pyodide_runtime` vendors the Pyodide runtime
and those wheels into ``dist/pyodide/`` with a pruned ``pyodide-lock.json``;
``builder/runtime/py-worker.js`` is the Web Worker that boots it; :mod:`builder.serve` is a
static preview server with correct MIME types.
"""
