/**
 * Group commit for one kind of insert: what is asked for while an insert is on its way goes,
 * together, in the next one. A burst (fifty Slack requests in a second) then makes a few
 * multi-row statements, not fifty one after another on the embedded database's single connection.
 * Each `add` resolves with its own row's result once the statement carrying it has committed, and
 * fails with it; a failed statement does not hold up the next.
 */
export class GroupCommit<Row, Result> {
  private next: { rows: Row[]; done: Promise<Result[]> } | null = null;
  private inserting: Promise<unknown> = Promise.resolve();

  /** Sends one statement for all the rows and gives each row's result, in their order. */
  private readonly write: (rows: Row[]) => Promise<Result[]>;

  constructor(write: (rows: Row[]) => Promise<Result[]>) {
    this.write = write;
  }

  async add(row: Row): Promise<Result> {
    let batch = this.next;
    if (!batch) {
      const created: { rows: Row[]; done: Promise<Result[]> } = { rows: [], done: Promise.resolve([]) };
      created.done = this.inserting.then(() => {
        // From here on, rows go in the batch after this one.
        if (this.next === created) this.next = null;
        return this.write(created.rows);
      });
      this.inserting = created.done.catch(() => {});
      this.next = batch = created;
    }
    const index = batch.rows.push(row) - 1;
    return (await batch.done)[index]!;
  }
}

/** `($1, $2), ($3, $4)…` for `rows` rows of `columns` values, each value's placeholder suffixed by `casts[i]`. */
export function valuesList(rows: number, casts: readonly string[]): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${casts.map((cast, c) => `$${r * casts.length + c + 1}${cast}`).join(', ')})`,
  ).join(', ');
}
