// io.kestra.plugin.jdbc.postgresql.Query: SQL against PostgreSQL (Bun's built-in client).
import { defineQueryTask } from "./define-query.ts";

export default defineQueryTask({
  type: "io.kestra.plugin.jdbc.postgresql.Query",
  dialect: "postgres",
  description: "Query PostgreSQL (jdbc:postgresql://host:5432/db with username/password, or a postgres:// URL).",
  examples: [
    {
      title: "Fetch one row",
      code: `id: latest
type: io.kestra.plugin.jdbc.postgresql.Query
url: jdbc:postgresql://localhost:5432/shop
username: "{{ secret('PG_USER') }}"
password: "{{ secret('PG_PASSWORD') }}"
sql: SELECT max(created_at) AS latest FROM orders
fetchType: FETCH_ONE`,
    },
  ],
});
