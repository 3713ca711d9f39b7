// io.kestra.plugin.jdbc.sqlite.Query: SQL against a SQLite file or a libSQL server.
import { defineQueryTask } from "./define-query.ts";

export default defineQueryTask({
  type: "io.kestra.plugin.jdbc.sqlite.Query",
  aliases: ["tern.sql.Query"],
  dialect: "sqlite",
  description: "Query a SQLite database file (jdbc:sqlite:/path, file:/path) or a libSQL server (libsql://, http://).",
  examples: [
    {
      title: "Daily totals",
      code: `id: totals
type: io.kestra.plugin.jdbc.sqlite.Query
url: jdbc:sqlite:/data/sales.db
sql: SELECT region, SUM(amount) AS total FROM sales WHERE day = :day GROUP BY region
parameters:
  day: "{{ trigger.date ?? execution.startDate | date('yyyy-MM-dd') }}"
fetchType: FETCH`,
    },
  ],
});
