// Exercise notebooks follow nbgrader's conventions: solution regions between "// BEGIN SOLUTION" and
// "// END SOLUTION", hidden tests between "// BEGIN HIDDEN TESTS" and "// END HIDDEN TESTS", and
// nbgrader metadata on answer and test cells. These functions make the student version.

export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: Record<string, any>;
  outputs?: unknown[];
  execution_count?: number | null;
  [key: string]: unknown;
}
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, any>;
  nbformat: number;
  nbformat_minor: number;
}

export const STUB = ['// YOUR CODE HERE', 'throw new Error("Exercise not implemented yet");'];

export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function setSource(cell: NotebookCell, text: string): NotebookCell {
  const lines = text.split("\n");
  return { ...cell, source: lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l) => l !== "") };
}

/** Replaces each region between `begin` and `end` markers (lines) with `replacement` lines, keeping indentation. */
export function replaceRegions(text: string, begin: string, end: string, replacement: string[], where: string): string {
  const out: string[] = [];
  let inside = false;
  let startLine = 0;
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === begin) {
      if (inside) throw new Error(`${where}: '${begin}' on line ${i + 1} inside another region opened on line ${startLine + 1}`);
      inside = true;
      startLine = i;
      const indent = line.slice(0, line.length - line.trimStart().length);
      out.push(...replacement.map((r) => indent + r));
    } else if (trimmed === end) {
      if (!inside) throw new Error(`${where}: '${end}' on line ${i + 1} without a '${begin}'`);
      inside = false;
    } else if (!inside) out.push(line);
  });
  if (inside) throw new Error(`${where}: '${begin}' on line ${startLine + 1} is never closed with '${end}'`);
  return out.join("\n");
}

export function isGradedTestCell(cell: NotebookCell): boolean {
  return !!cell.metadata?.nbgrader?.grade && !cell.metadata?.nbgrader?.solution;
}

export function isSolutionCell(cell: NotebookCell): boolean {
  return !!cell.metadata?.nbgrader?.solution;
}

/**
 * The student version: solution regions become the stub, hidden tests are removed (unless
 * `keepHiddenTests`), outputs and execution counts are cleared.
 */
export function studentVersion(nb: Notebook, options: { keepHiddenTests?: boolean } = {}): Notebook {
  const cells = nb.cells.map((cell, i) => {
    if (cell.cell_type !== "code") return cell;
    let text = cellSource(cell);
    text = replaceRegions(text, "// BEGIN SOLUTION", "// END SOLUTION", STUB, `cell ${i}`);
    if (!options.keepHiddenTests) text = replaceRegions(text, "// BEGIN HIDDEN TESTS", "// END HIDDEN TESTS", [], `cell ${i}`);
    return { ...setSource(cell, text), outputs: [], execution_count: null };
  });
  return { ...nb, cells };
}
