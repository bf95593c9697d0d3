// Changes as recorded (ChangeEvent values) for domain and view tests.
import type { ChangeEvent } from '../../src/domain/changes.ts';

let seq = 0;

export function aChange(o: Partial<ChangeEvent> = {}): ChangeEvent {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    sourceKey: `api:test-${seq}`,
    source: 'api',
    kind: 'deploy',
    service: 'ehr-api',
    serviceName: 'ehr-api',
    system: 'ehr',
    owner: 'group:default/platform',
    environment: 'production',
    version: '1.0.0',
    summary: 'Deploy 1.0.0',
    author: 'alice',
    approvers: ['bob'],
    url: 'https://ci.example.org/runs/1',
    occurredAt: new Date('2026-11-24T13:00:00Z'),
    receivedAt: new Date('2026-11-24T13:00:01Z'),
    flagged: false,
    overrideId: null,
    ...o,
  };
}
