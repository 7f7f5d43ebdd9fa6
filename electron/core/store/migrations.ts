// The store's schema, one numbered migration per version (`PRAGMA user_version` = how many ran).
// A migration is never edited once released: a change is a new entry at the end.
export const MIGRATIONS: readonly string[] = [
  // 1: request metadata (never content), availability samples, supervisor events, hardware samples,
  //    and daily rollups of request rows older than the retention.
  `CREATE TABLE requests (
     id INTEGER PRIMARY KEY,
     time_ms INTEGER NOT NULL,
     deployment TEXT NOT NULL,
     key_id TEXT,
     route TEXT NOT NULL,
     status INTEGER NOT NULL,
     outcome TEXT NOT NULL,
     prompt_tokens INTEGER,
     completion_tokens INTEGER,
     ttft_ms REAL,
     tpot_ms REAL,
     total_ms REAL NOT NULL
   );
   CREATE INDEX requests_time ON requests(time_ms);
   CREATE TABLE availability (
     id INTEGER PRIMARY KEY,
     time_ms INTEGER NOT NULL,
     deployment TEXT NOT NULL,
     status TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX availability_deployment_time ON availability(deployment, time_ms);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     time_ms INTEGER NOT NULL,
     deployment TEXT NOT NULL,
     kind TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX events_time ON events(time_ms);
   CREATE TABLE hardware_samples (
     id INTEGER PRIMARY KEY,
     time_ms INTEGER NOT NULL,
     device TEXT NOT NULL,
     utilization_percent REAL,
     memory_used_bytes INTEGER,
     power_watts REAL
   );
   CREATE INDEX hardware_samples_time ON hardware_samples(time_ms);
   CREATE TABLE request_rollups (
     day TEXT NOT NULL,
     deployment TEXT NOT NULL,
     key_id TEXT NOT NULL,
     requests INTEGER NOT NULL,
     errors INTEGER NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     PRIMARY KEY (day, deployment, key_id)
   );`,
  // 2: alerts raised (outage began or ended), for the alert history.
  `CREATE TABLE alerts (
     id INTEGER PRIMARY KEY,
     time_ms INTEGER NOT NULL,
     deployment TEXT NOT NULL,
     kind TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX alerts_time ON alerts(time_ms);`,
  // 3: rolled-up days keep their latencies as histograms (store/latency-histogram.ts), so a month's
  //    percentiles survive the retention. Days rolled up before this have none (NULL).
  `ALTER TABLE request_rollups ADD COLUMN ttft_hist TEXT;
   ALTER TABLE request_rollups ADD COLUMN tpot_hist TEXT;`,
];
