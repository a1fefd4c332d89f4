// The release manifest: a checksum of every locked cell of each student version, so that edits to
// instructions and tests can be spotted (nbgrader keeps the same kind of checksum).
import { createHash } from "crypto";
import { Notebook, NotebookCell, cellSource } from "./notebook";

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function isLockedCell(cell: NotebookCell): boolean {
  const g = cell.metadata?.nbgrader;
  return !!g && (g.locked === true || (g.grade === true && !g.solution));
}

/** Checksum of a cell as released: its type, grade_id, points and source. */
export function cellChecksum(cell: NotebookCell): string {
  const g = cell.metadata?.nbgrader ?? {};
  return sha256(JSON.stringify([cell.cell_type, g.grade_id ?? null, g.points ?? null, cellSource(cell)]));
}

export interface ReleaseEntry {
  file: string;
  sha256: string;
  lockedCells: { index: number; id: string | null; gradeId: string | null; sha256: string }[];
}

export function releaseEntry(file: string, released: Notebook, text: string): ReleaseEntry {
  return {
    file, sha256: sha256(text),
    lockedCells: released.cells.map((c, index) => ({ c, index })).filter(({ c }) => isLockedCell(c))
      .map(({ c, index }) => ({ index, id: (c.id as string) ?? null, gradeId: c.metadata.nbgrader.grade_id ?? null, sha256: cellChecksum(c) })),
  };
}
