#!/usr/bin/env bun
// tern: the command line. Thin: parses arguments and calls the rest.
import { parseArgs } from "node:util";
import { loadConfig } from "./config.ts";

const USAGE = `Usage: tern <command> [options]

Commands:
  serve [--port 8080] [--host 127.0.0.1] [--flows DIR] [--data DIR] [--role all|api|scheduler|worker]
                         start the server (API, dashboard, executor, workers, scheduler)
  run <flow.yaml> [--flows DIR] [--input k=v]... [--input file=@path] [--label k=v]... [--json]
                         run one execution to its end; exit 0 on SUCCESS/WARNING, 1 on FAILED/KILLED
  validate <files or dirs>...
                         report every error of every flow; exit 2 if any
  schema                 print the JSON Schema of a flow (for editors)
  backfill <namespace> <flowId> <triggerId> --start ISO [--end ISO] [--input k=v]... [--label k=v]... [--run]
                         replay a Schedule trigger's slots over a past range
  deploy <dir> [--namespace NS] [--delete] [--server URL]
                         replace a namespace's flows on a server with the flows of a directory
  secret set <NAME> [value] [--namespace NS]   store an encrypted secret (value from stdin if omitted)
  secret list|delete [NAME] [--namespace NS]   secret names (never values); delete one
  secret rotate          re-encrypt every secret under TERN_SECRET_KEY (old keys: TERN_SECRET_KEY_PREVIOUS)
  user add <NAME> --role admin|editor|operator|viewer [--namespace PREFIX]
                         add a dashboard/API user (password from stdin); also user list|grant|passwd|delete
  token create <NAME> --role R [--namespace PREFIX] [--expires-in P30D] [--description TEXT]
                         create an API token and print it once; also token list|delete
  backup <DIR>           a consistent copy of the embedded database and stored files (safe while
                         serve runs); restore with serve --data DIR

Options: --data DIR (or TERN_DATA) moves the data directory (default ./data);
TERN_DATABASE_URL uses a libSQL server instead of the embedded file.
Auth: TERN_ADMIN_USER/TERN_ADMIN_PASSWORD create the first admin on start; with no user or
token, serve answers on loopback only (see README, Security).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return (await import("./cli/run.ts")).runCommand(rest);
    case "validate":
      return (await import("./cli/validate.ts")).validateCommand(rest);
    case "schema": {
      const { flowJsonSchema } = await import("./flow/index.ts");
      console.log(JSON.stringify(flowJsonSchema(), null, 2));
      return 0;
    }
    case "serve":
      return (await import("./cli/serve.ts")).serveCommand(rest);
    case "deploy":
      return (await import("./cli/deploy.ts")).deployCommand(rest);
    case "backfill":
      return (await import("./cli/backfill.ts")).backfillCommand(rest);
    case "secret":
      return (await import("./cli/secret.ts")).secretCommand(rest);
    case "user":
      return (await import("./cli/user.ts")).userCommand(rest);
    case "token":
      return (await import("./cli/user.ts")).tokenCommand(rest);
    case "backup":
      return (await import("./cli/backup.ts")).backupCommand(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      console.error(`tern: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** Shared by the commands: flags → Config. */
export function configFrom(values: Record<string, unknown>) {
  const flags: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === "string") flags[k] = v;
  return loadConfig(flags, process.env);
}

export { parseArgs };

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`tern: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
