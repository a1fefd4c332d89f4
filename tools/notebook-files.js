// Which files in a folder are the course's notebooks, in course order: NN-name.ipynb, or NNx-name.ipynb
// for a notebook split in parts (10b, 12b, 12c). Every tool and test that lists notebooks asks here.
const fs = require("fs");

const NOTEBOOK_FILE = /^\d\d[a-z]?-.*\.ipynb$/;

/** The notebook files in `dir` (names, not paths), sorted; none when the folder does not exist. */
function courseNotebooks(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => NOTEBOOK_FILE.test(f)).sort() : [];
}

module.exports = { courseNotebooks };
