// Runs pwa/js/load.js over the cases on stdin (JSON) and prints the answers, for test_load_js.py.
import { fit, loadTable, weekOf, weeksFrom, workingDays, mondayOf } from "../pwa/js/load.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const answers = JSON.parse(input).map((c) => {
  const daysOff = new Set(c.days_off);
  const table = loadTable(weeksFrom(c.from, c.weeks), c.groups, c.entries, daysOff, c.weights);
  return {
    table: table.map((w) => ({ ...w, groups: w.groups.map(({ weighted, capacity, ...row }) => row) })),
    fit: fit(table, c.process_hours, c.limit),
    working_days: c.probe_weeks.map((w) => workingDays(w, daysOff)),
    week_of: c.probe_days.map(weekOf),
    exists: c.probe_bad.map((w) => mondayOf(w) !== null),
  };
});
process.stdout.write(JSON.stringify(answers));
