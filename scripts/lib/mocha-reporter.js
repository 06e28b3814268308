// Mocha reporter for the test scripts: Mocha's spec output, then the closing line
// "N passed, N failed" (", N skipped" when some were pending), and the counts as JSON in the file
// named by RNN_MOCHA_RESULT (scripts/test.mjs reads it).
//   mocha --reporter ./scripts/lib/mocha-reporter.js ...
const fs = require("node:fs");
const Mocha = require("mocha");

class CountingSpecReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failed = [];
    runner.on("fail", (test, err) => failed.push({ title: test.fullTitle(), error: String((err && err.message) || err) }));
    runner.once("end", () => {
      const { passes = 0, failures = 0, pending = 0 } = this.stats;
      const line = `${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}`;
      // after the epilogue that Spec prints on 'end'
      process.nextTick(() => console.log(line));
      const file = process.env.RNN_MOCHA_RESULT;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed: passes, failed: failures, pending, failures: failed }, null, 2));
    });
  }
}

module.exports = CountingSpecReporter;
