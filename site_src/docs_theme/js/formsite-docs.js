// Settings the MkDocs theme's base.js reads (the theme writes them in an inline script, which
// the site's Content-Security-Policy forbids), and the docs' search.
//
// The search reads MkDocs' search_index.json from the docs folder itself (no network beyond the
// origin, works offline) and matches the query as a substring of each section: Chinese has no
// spaces between words, so the theme's word-based search finds almost nothing in it.
var base_url = document.currentScript.src.replace(/js\/formsite-docs\.js(\?.*)?$/, "");
var shortcuts = { help: 191, next: 78, previous: 80, search: 83 };

(function () {
  "use strict";
  let sections = null;

  async function index() {
    if (!sections) {
      const response = await fetch(base_url + "search/search_index.json");
      sections = (await response.json()).docs;
    }
    return sections;
  }

  function snippet(text, query) {
    const at = text.indexOf(query);
    const start = Math.max(0, at - 30);
    return (start > 0 ? "…" : "") + text.slice(start, at + query.length + 60) + "…";
  }

  async function search(input, results) {
    const query = input.value.trim();
    results.replaceChildren();
    if (!query) return;
    const found = (await index()).filter((s) => s.title.includes(query) || s.text.includes(query));
    if (input.value.trim() !== query) return; // a newer query is being answered
    if (!found.length) {
      const none = document.createElement("p");
      none.textContent = `没有找到“${query}”。`;
      results.append(none);
      return;
    }
    for (const section of found.slice(0, 30)) {
      const article = document.createElement("article");
      const heading = document.createElement("h3");
      const link = document.createElement("a");
      link.href = base_url + section.location;
      link.textContent = section.title;
      heading.append(link);
      const text = document.createElement("p");
      text.textContent = snippet(section.text.includes(query) ? section.text : section.title, query);
      article.append(heading, text);
      results.append(article);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const input = document.getElementById("mkdocs-search-query");
    const results = document.getElementById("mkdocs-search-results");
    if (!input || !results) return;
    input.addEventListener("input", () => search(input, results));
    const asked = new URLSearchParams(location.search).get("q");
    if (asked) {
      input.value = asked;
      search(input, results);
    }
  });
})();
