export { assertClose, assertShape, assertTrue, passed, ExerciseCheckError } from "./check";
export { studentVersion, replaceRegions, isGradedTestCell, isSolutionCell, cellSource, STUB, Notebook, NotebookCell } from "./notebook";
