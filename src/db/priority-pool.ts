import pg from 'pg';

type Done = (err?: Error | boolean) => void;
type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: Done) => void;

/**
 * A pg pool whose checkouts wait in two lines: `urgentQuery` (a statement Slack's answer waits
 * for: recording a delivery, holding a declaration) goes before everything else waiting for a
 * connection (Prisma's queries and transactions for work after acks). The embedded database has
 * one connection, so without this an ack's insert waits behind every transaction queued before it
 * by the runs in progress; with it, behind the one transaction using the connection now.
 * Checkouts are counted here (never more than `max` out at once, so the pool itself never queues);
 * each one's `release` frees its place for the next in line.
 */
export class PriorityPool extends pg.Pool {
  /**
   * Statements sent on this pool's connections since it opened (each query, BEGIN and COMMIT
   * included): what a request costs in round trips, read by tests and the benches.
   */
  statements = 0;
  private out = 0;
  private readonly lines: { urgent: (() => void)[]; normal: (() => void)[] } = { urgent: [], normal: [] };
  private readonly limit: number;

  constructor(config: pg.PoolConfig) {
    super(config);
    this.limit = config.max ?? 10;
  }

  /** Runs one statement on a connection taken ahead of every non-urgent checkout waiting. */
  async urgentQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const client = await this.checkout('urgent');
    try {
      return await client.query<R>(text, values);
    } finally {
      client.release();
    }
  }

  /** Waiting checkouts, by line (for tests). */
  get waiting(): { urgent: number; normal: number } {
    return { urgent: this.lines.urgent.length, normal: this.lines.normal.length };
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const checkedOut = this.checkout('normal');
    if (!callback) return checkedOut;
    checkedOut.then(
      (client) => callback(undefined, client, (err) => client.release(err)),
      (err: Error) => callback(err, undefined, () => {}),
    );
  }

  private async checkout(line: 'urgent' | 'normal'): Promise<pg.PoolClient> {
    if (this.out >= this.limit) await new Promise<void>((resolve) => this.lines[line].push(resolve));
    else this.out++;
    let checkedOut: pg.PoolClient;
    try {
      checkedOut = await super.connect();
    } catch (err) {
      this.handOn();
      throw err;
    }
    countStatements(checkedOut, this);
    const release = checkedOut.release;
    let released = false;
    checkedOut.release = (err?: Error | boolean) => {
      if (!released) {
        released = true;
        this.handOn();
      }
      return release.call(checkedOut, err);
    };
    return checkedOut;
  }

  /** A checkout ended: its place goes to the first urgent one waiting, else the first other one. */
  private handOn() {
    const next = this.lines.urgent.shift() ?? this.lines.normal.shift();
    if (next) next();
    else this.out--;
  }
}

const COUNTED = Symbol('statements counted');

/** Counts every statement `client` sends, on `pool.statements` (once per connection, kept across checkouts). */
function countStatements(client: pg.PoolClient, pool: PriorityPool): void {
  const c = client as pg.PoolClient & { [COUNTED]?: true };
  if (c[COUNTED]) return;
  c[COUNTED] = true;
  const query = c.query;
  c.query = function (this: pg.PoolClient, ...args: unknown[]) {
    pool.statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof c.query;
}
