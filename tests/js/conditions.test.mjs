// The page's condition interpreter (site_src/static/conditions.js) against the shared table of
// cases that tests/test_conditions_shared.py also runs through the engine's formsite.conditions.
// Run: node --test tests/js/  (pytest runs it too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const read = (rel) => readFileSync(new URL(rel, import.meta.url), "utf-8");

// The site serves conditions.js as a plain .js module and this repository's package.json does
// not say "type": "module", so Node would read the file as CommonJS; import its text instead.
const source = read("../../site_src/static/conditions.js");
const { holds, hidden } = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);

const cases = JSON.parse(read("../cases/conditions.json"));
// tests/test_conditions_shared.py adds cases generated from the real definitions, with the
// engine's verdict on each, in a file named by FORMSITE_EXTRA_CONDITION_CASES.
const extraFile = process.env.FORMSITE_EXTRA_CONDITION_CASES;
const extra = extraFile ? JSON.parse(readFileSync(extraFile, "utf-8")) : [];

test("the table has cases", () => assert.ok(cases.length >= 40));

for (const c of cases) {
  test(c.name, () => {
    assert.equal(holds(c.condition, structuredClone(c.data), c.formId), c.expected);
  });
}

if (extra.length) {
  test(`${extra.length} cases from the definitions`, () => {
    const wrong = extra.filter((c) => holds(c.condition, c.data, c.formId) !== c.expected);
    assert.deepEqual(wrong.slice(0, 5), []);
  });
}

// tests/test_conditions_shared.py writes the corpus of mutated dossiers with the engine's
// hidden sections and fields for each (on its normalised values, which is what the page's
// controls hold), and the applicability data the build puts into the page.
const corpusFile = process.env.FORMSITE_CORPUS_APPLICABILITY;
if (corpusFile) {
  const { applicability, cases: dossiers } = JSON.parse(readFileSync(corpusFile, "utf-8"));
  test(`${dossiers.length} corpus dossiers: the same sections and fields hidden as the engine`, () => {
    const wrong = dossiers.filter((c) => {
      const got = hidden(applicability, c.values);
      return JSON.stringify([got.sections, [...got.fields].sort()])
        !== JSON.stringify([c.hidden_sections, c.hidden_fields]);
    });
    assert.deepEqual(wrong.slice(0, 3), []);
  });
}
