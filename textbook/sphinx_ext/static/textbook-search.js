/* Each page once in the search results. Sphinx lists a page once for its
   words and again for each index entry on it (a glossary term, each use of a
   term), each with its own anchor: a search for a term showed "Glossary"
   twice. Keep the best-scored result of each page (Sphinx displays the
   array from its end, so the best come last). This script comes before
   searchtools.js; its listener, registered first, wraps the search before
   Sphinx's runs the query. */
document.addEventListener("DOMContentLoaded", () => {
  const performSearch = Search._performSearch;
  Search._performSearch = (...args) => {
    const seen = new Set();
    const kept = [];
    for (const result of performSearch(...args).reverse()) {
      if (!seen.has(result[0])) {
        seen.add(result[0]);
        kept.push(result);
      }
    }
    return kept.reverse();
  };
});
