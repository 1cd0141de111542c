// Drafts in this browser's IndexedDB: the current draft of each dossier page, and a short
// history of earlier versions (before an import, a clear or a restore, and one every few
// minutes of editing) that the page offers to restore. A write counts as saved only when its
// transaction has completed; every failure reaches the caller, which tells the person at once.
//
// Drafts saved by earlier versions of the site in localStorage are moved here on first read.

const DB_NAME = "formsite-drafts";
const CURRENT = "current"; // key: dossier id → {dossier, draft, saved_at}
const HISTORY = "history"; // auto key → {dossier, draft, saved_at, reason}
export const HISTORY_LENGTH = 10;
// At most one automatic history entry per this many milliseconds of editing.
export const HISTORY_EVERY_MS = 10 * 60 * 1000;

const LEGACY_KEY = (dossier) => `formsite:draft:${dossier}`;
const LEGACY_BACKUP_KEY = (dossier) => `formsite:draft-backup:${dossier}`;

let opened = null;
const lostListeners = [];

// ``callback()`` runs when the browser closes the storage under the page (the person cleared
// the site's data, or the browser evicted it): the page saves again at once.
export function onLost(callback) {
  lostListeners.push(callback);
}

function openDb() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore(CURRENT, { keyPath: "dossier" });
      db.createObjectStore(HISTORY, { autoIncrement: true }).createIndex("dossier", "dossier");
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onclose = () => { // closed by the browser, not by us
        opened = null;
        for (const callback of lostListeners) callback();
      };
      db.onversionchange = () => {
        db.close();
        opened = null;
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("草稿存储被另一个标签页占用"));
  }).catch((err) => {
    opened = null; // a later call may try again
    throw err;
  });
  return opened;
}

// Run ``work(stores)`` in one transaction; resolve with its result once the transaction has
// completed (the data is on disk as far as the browser can tell), reject on error or abort.
async function transact(mode, names, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const fail = (err) => {
      // A connection that failed a write (storage full, disk error) is not trusted again:
      // the next call opens a fresh one, which sees the storage as it is by then.
      if (opened) opened.then((d) => d.close(), () => {});
      opened = null;
      reject(err);
    };
    let tx;
    try {
      tx = db.transaction(names, mode);
    } catch (err) {
      fail(err);
      return;
    }
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    Promise.resolve(work(stores, tx)).then((value) => { result = value; }, (err) => {
      try { tx.abort(); } catch { /* already finished */ }
      fail(err);
    });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => fail(tx.error);
    tx.onabort = () => fail(tx.error || new Error("存储被中止"));
  });
}

const asPromise = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

function legacy(dossier) {
  try {
    const draft = JSON.parse(localStorage.getItem(LEGACY_KEY(dossier)) || "null");
    const backup = JSON.parse(localStorage.getItem(LEGACY_BACKUP_KEY(dossier)) || "null");
    return { draft, backup };
  } catch {
    return { draft: null, backup: null };
  }
}

// The current draft of ``dossier`` (an object as the page saved it), or null.
export async function readDraft(dossier) {
  const row = await transact("readonly", [CURRENT], ({ current }) => asPromise(current.get(dossier)));
  if (row) return row.draft;
  const old = legacy(dossier);
  if (!old.draft && !old.backup) return null;
  // Move what an earlier version of the site kept in localStorage; only once it is safely
  // here is it removed there.
  await transact("readwrite", [CURRENT, HISTORY], ({ current, history }) => {
    if (old.draft) current.put({ dossier, draft: old.draft, saved_at: old.draft.saved_at || null });
    if (old.backup) history.add({ dossier, draft: old.backup, saved_at: old.backup.saved_at || null, reason: "早先的备份" });
  });
  localStorage.removeItem(LEGACY_KEY(dossier));
  localStorage.removeItem(LEGACY_BACKUP_KEY(dossier));
  return old.draft;
}

const content = (d) => JSON.stringify([d?.data ?? null, d?.attachments ?? []]);

// Save ``draft`` as the current one. With ``before`` (the draft being replaced) and a reason,
// that one goes into the history in the same transaction: both are saved, or neither. A
// ``before`` that holds what ``draft`` or the latest history entry holds adds nothing (clearing
// a cleared form ten times must not push real versions out of the history).
export function writeDraft(dossier, draft, { before = null, reason = "" } = {}) {
  return transact("readwrite", [CURRENT, HISTORY], async ({ current, history }) => {
    if (before && content(before) !== content(draft)) {
      const rows = await asPromise(history.index("dossier").getAll(dossier));
      if (rows.length && content(rows.at(-1).draft) === content(before)) before = null;
    } else {
      before = null;
    }
    if (before) {
      history.add({ dossier, draft: before, saved_at: before.saved_at || null, reason });
      const keys = await asPromise(history.index("dossier").getAllKeys(dossier));
      for (const key of keys.slice(0, Math.max(0, keys.length - HISTORY_LENGTH))) history.delete(key);
    }
    current.put({ dossier, draft, saved_at: draft.saved_at || null });
  });
}

// Earlier versions of ``dossier``'s draft, newest first: [{id, saved_at, reason}].
export async function listHistory(dossier) {
  return transact("readonly", [HISTORY], async ({ history }) => {
    const index = history.index("dossier");
    const [keys, rows] = await Promise.all([asPromise(index.getAllKeys(dossier)), asPromise(index.getAll(dossier))]);
    return rows.map((row, i) => ({ id: keys[i], saved_at: row.saved_at, reason: row.reason })).reverse();
  });
}

export async function readHistory(id) {
  const row = await transact("readonly", [HISTORY], ({ history }) => asPromise(history.get(id)));
  return row ? row.draft : null;
}

// When the latest history entry of ``dossier`` was saved (ms since epoch), 0 if none.
export async function lastHistoryTime(dossier) {
  const [latest] = await listHistory(dossier);
  return latest ? Date.parse(latest.saved_at) || 0 : 0;
}
