// Markdown with LaTeX for the book: marked for the prose, KaTeX rendered at build time so a page
// needs no script to show its math (only KaTeX's stylesheet and fonts, copied into the site).
const katex = require("katex");

/** `$…$` and `$$…$$` as inline tokens, so code spans and escaped dollars (`\$`) keep their meaning. */
function mathExtension(problems) {
  return {
    name: "math",
    level: "inline",
    start(src) {
      const m = /(?<!\\)\$/.exec(src);
      return m ? m.index : undefined;
    },
    tokenizer(src) {
      const m = /^\$\$([\s\S]+?)\$\$/.exec(src) || /^\$((?:\\.|[^\\$])+?)\$/.exec(src);
      if (m) return { type: "math", raw: m[0], text: m[1].trim(), display: m[0].startsWith("$$") };
      return undefined;
    },
    renderer(token) {
      try {
        return katex.renderToString(token.text, { displayMode: token.display, throwOnError: true, strict: "ignore" });
      } catch (err) {
        problems.push(`${err.message} in ${token.raw.slice(0, 80)}`);
        return `<code class="math-error" title="${escapeHtml(err.message)}">${escapeHtml(token.raw)}</code>`;
      }
    },
  };
}

/** A link to another notebook of the course (`04-deep-autoencoder.ipynb#…`) points at its page. */
function notebookLinksToPages(token) {
  if (token.type === "link") token.href = token.href.replace(/^(?:\.\/)?(\d\d[a-z]?-[^/#?]+)\.ipynb(?=$|#)/, "$1.html");
}

function escapeHtml(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A markdown renderer; `problems` collects formulas KaTeX could not typeset (the build reports them). */
async function markdownRenderer(problems) {
  const { Marked } = await import("marked"); // marked is ESM-only
  const marked = new Marked({ gfm: true, extensions: [mathExtension(problems)], walkTokens: notebookLinksToPages });
  return (text) => marked.parse(text);
}

module.exports = { markdownRenderer, escapeHtml };
