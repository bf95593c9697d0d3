// Which TCP ports a process listens on, from Linux's /proc: the sockets among its open files that
// /proc/net/tcp{,6} shows in state LISTEN. Threads share the process's files, so a worker thread's
// listener counts too. Null where there is no /proc (the check is then skipped).
import fs from 'node:fs';

export function listeningTcpPorts(pid: number | 'self' = 'self'): number[] | null {
  if (!fs.existsSync(`/proc/${pid}/fd`)) return null;
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st … inode (10th column)
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}
