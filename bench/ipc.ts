// Request and reply over a forked child's IPC channel, matched by id: the child sends `{ id: 0 }`
// once it is ready, then answers each `{ id, … }` with `{ id, …, error? }`. A child that exits
// fails whatever is waiting for it (after `stop`, it exits on purpose: nothing is waiting then).
import type { ChildProcess } from 'node:child_process';

export function ipcClient<Req extends { id: number }, Reply extends { id: number; error?: string }>(
  child: ChildProcess,
  name: string,
) {
  const waiting = new Map<number, (r: Reply) => void>();
  child.on('message', (r: Reply) => {
    waiting.get(r.id)?.(r);
    waiting.delete(r.id);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited (code ${code})`))),
  );
  exited.catch(() => {});
  const reply = (id: number, send?: () => void) =>
    Promise.race([
      new Promise<Reply>((resolve) => {
        waiting.set(id, resolve);
        send?.();
      }),
      exited,
    ]);
  let nextId = 1;
  return {
    /** The child's first message, sent once it is ready. */
    ready: reply(0),
    /** Sends the request (its id is set here); its reply, or the child's error as a thrown Error. */
    async call(request: Omit<Req, 'id'>): Promise<Reply> {
      const id = nextId++;
      const r = await reply(id, () => child.send({ ...request, id }));
      if (r.error) throw new Error(`${name}: ${r.error}`);
      return r;
    },
  };
}
