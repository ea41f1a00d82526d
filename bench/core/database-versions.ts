import Database from "better-sqlite3";
import pg from "pg";

export function sqliteVersion(): string {
  const db = new Database(":memory:");
  try {
    return (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** The server settings that decide what a durable commit costs on PostgreSQL. */
export interface PostgresSettings {
  version: string;
  fsync: string;
  synchronousCommit: string;
  walSyncMethod: string;
  commitDelay: string;
  sharedBuffers: string;
}

export async function postgresSettings(url: string): Promise<PostgresSettings> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    const show = async (name: string) =>
      ((await client.query(`SHOW ${name}`)).rows[0] as Record<string, string>)[name] ?? "?";
    return {
      version: await show("server_version"),
      fsync: await show("fsync"),
      synchronousCommit: await show("synchronous_commit"),
      walSyncMethod: await show("wal_sync_method"),
      commitDelay: await show("commit_delay"),
      sharedBuffers: await show("shared_buffers"),
    };
  } finally {
    await client.end();
  }
}
