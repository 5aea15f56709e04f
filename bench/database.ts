/**
 * Isolated-database benchmark (run with `npx tsx bench/database.ts`): the time to clone a
 * 100 MB and a 1 GB template with the Job's own clone (`CREATE DATABASE ... STRATEGY
 * FILE_COPY`, run by the tenant script of lib/database-sql.ts) against `pg_dump -Fc |
 * pg_restore` of the same data, on a real PostgreSQL this script starts (fsync on, as a real
 * server). One run each; prints figures, the 1 GB ratio last. Goals: a 1 GB clone in under
 * 10 s, at least 10x faster than dump/restore. Needs ~4 GB free in the temp dir; removes
 * everything it made.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import { platformDatabaseJob, tenantDatabaseJob } from "../lib/database-jobs";
import { PostgresServer, runJobContainer } from "../test/support/postgres";

const SIZES = [
  { label: "100 MB", rows: 360_000 },
  { label: "1 GB", rows: 3_600_000 },
];

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main(): Promise<void> {
  const df = spawnSync("df", ["-h", os.tmpdir()], { encoding: "utf8" }).stdout.trim().split("\n").pop();
  console.log(`temp dir: ${df}`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  const server = await PostgresServer.start({ fsync: "on", shared_buffers: "256MB", max_wal_size: "4GB" });
  const results: { label: string; bytes: number; clone: number; dump: number }[] = [];
  try {
    await server.psql("CREATE ROLE beta_bench LOGIN CREATEDB PASSWORD 'bench'");
    for (const { label, rows } of SIZES) {
      const template = `bench_template_${rows}`;
      await server.psql(`CREATE DATABASE ${template}`);
      await server.psql(
        `CREATE TABLE events (id bigint PRIMARY KEY, body text, at timestamptz);
         INSERT INTO events SELECT g, md5(g::text) || repeat('x', 200), now() - g * interval '1 second' FROM generate_series(1, ${rows}) g;
         CREATE INDEX ON events (at); VACUUM ANALYZE events;`,
        { database: template },
      );
      const settings = { image: "postgres:17.6-alpine", template, strategy: "FILE_COPY" as const };
      const prepare = platformDatabaseJob({ action: "prepare", settings, adminSecret: "admin", jobName: "prepare" });
      const prepared = await runJobContainer(prepare, { admin: server.libpqEnv() }, { mounts: { "/etc/beta/tenants": { bench: "bench" } }, timeoutMs: 600_000 });
      if (prepared.code !== 0) throw new Error(prepared.stderr);
      const bytes = Number(await server.query(`SELECT pg_database_size('${template}')`));
      // A template is loaded long before anyone clones it; its pages are on disk by then.
      await server.psql("CHECKPOINT");

      const secret = { database: server.libpqEnv("beta_bench", "bench") };
      const clone = tenantDatabaseJob({ developer: "bench", action: "clone", settings });
      const [cloned, cloneSeconds] = await timed(() => runJobContainer(clone, secret, { timeoutMs: 600_000 }));
      if (cloned.code !== 0) throw new Error(cloned.stderr);
      const drop = await runJobContainer(tenantDatabaseJob({ developer: "bench", action: "drop", settings }), secret);
      if (drop.code !== 0) throw new Error(drop.stderr);

      await server.psql("CREATE DATABASE bench_restored");
      const env = { ...process.env, ...server.libpqEnv() };
      const [dumped, dumpSeconds] = await timed(async () =>
        spawnSync("sh", ["-c", `pg_dump -Fc -d ${template} | pg_restore --no-owner -d bench_restored`], { env, encoding: "utf8" }),
      );
      if (dumped.status !== 0) throw new Error(dumped.stderr);
      await server.psql(`DROP DATABASE bench_restored; ALTER DATABASE ${template} IS_TEMPLATE false; DROP DATABASE ${template};`);

      results.push({ label, bytes, clone: cloneSeconds, dump: dumpSeconds });
      console.log(
        `${label} template (${(bytes / 2 ** 20).toFixed(0)} MiB): clone (FILE_COPY, the Job's script) ${cloneSeconds.toFixed(2)} s; pg_dump | pg_restore ${dumpSeconds.toFixed(2)} s`,
      );
    }
  } finally {
    await server.stop();
  }
  const big = results[results.length - 1];
  console.log(`1 GB clone under 10 s: ${big.clone < 10 ? "yes" : "no"} (${big.clone.toFixed(2)} s)`);
  console.log(`ratio, 1 GB pg_dump|pg_restore / FILE_COPY clone: ${(big.dump / big.clone).toFixed(1)}x (goal >= 10x)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
