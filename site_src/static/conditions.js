// The condition interpreter the page uses before the engine has answered (and in a browser that
// cannot run it). It reads the condition JSON the build generates from the definitions
// (data-when) and mirrors formsite/conditions.py line for line; tests/cases/conditions.json is
// run through both, so they cannot drift apart. Once the engine answers, the page shows and
// hides by the engine's hidden_fields/hidden_sections instead.

const own = (node, key) => node !== null && typeof node === "object" && !Array.isArray(node)
  && Object.prototype.hasOwnProperty.call(node, key);

// A reference without a form prefix (or whose first part is not a form in the data) reads
// from formId. Only plain objects are walked: a list or a scalar on the way means "missing".
export function lookup(data, ref, formId) {
  let parts = ref.split(".");
  if (parts.length === 1 || !own(data, parts[0])) parts = [formId, ...parts];
  let node = data;
  for (const part of parts) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return null;
    node = own(node, part) ? node[part] : null;
  }
  return node === undefined ? null : node;
}

// Whether cond holds. Strict equality: 1 is not true, "1" is not 1.
export function holds(cond, data, formId) {
  if (cond === null || cond === undefined) return true;
  if (cond.all !== undefined && cond.all !== null) return cond.all.every((c) => holds(c, data, formId));
  if (cond.any !== undefined && cond.any !== null) return cond.any.some((c) => holds(c, data, formId));
  if (cond.not !== undefined && cond.not !== null) return !holds(cond.not, data, formId);
  const value = lookup(data, cond.field ?? "", formId);
  if (cond.includes !== undefined && cond.includes !== null) {
    return Array.isArray(value) && value.includes(cond.includes);
  }
  return value === cond.equals;
}
