// The deployment_protection_rule handler alone: what it reads of the payload (zod), and that without
// a code host it says clearly in the log that GitHub cannot be answered, and touches nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deploymentProtectionRuleHandler } from '../../src/github/deployment-protection-rule.ts';
import type { Logger } from '../../src/logger.ts';
import { testDeps } from '../support/deps.ts';
import { gitHubPayload } from '../support/github-payloads.ts';
import { RecordingCodeHost } from '../support/recording-code-host.ts';

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const payload = (over: Record<string, unknown> = {}) =>
  gitHubPayload('deployment_protection_rule$requested', {
    environment: 'production',
    deployment_callback_url: 'https://api.github.com/repos/acme/ehr-api/actions/runs/1/deployment_protection_rule',
    deployment: { id: 5, creator: { login: 'octocat' } },
    repository: { full_name: 'acme/ehr-api' },
    installation: { id: 42 },
    ...over,
  });

describe('deployment_protection_rule handler', () => {
  test('takes only `requested`', () => {
    assert.deepEqual(deploymentProtectionRuleHandler(testDeps(), recordingLogger().logger).actions, ['requested']);
  });

  test('without a code host: a clear error in the log, and no store is touched (testDeps has none)', async () => {
    const { logger, lines } = recordingLogger();
    await deploymentProtectionRuleHandler(testDeps({ codeHost: null }), logger).handle({
      event: 'deployment_protection_rule',
      deliveryId: 'd1',
      bodyHash: '0'.repeat(64),
      payload: payload(),
    });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 'error');
    assert.match(lines[0]!.msg!, /no GitHub App is configured.*cannot answer GitHub/);
    assert.deepEqual(lines[0]!.obj, { deliveryId: 'd1', repository: 'acme/ehr-api', deploymentId: 5 });
  });

  test('a payload without what the bot needs is ignored with a warning, GitHub not called', async () => {
    const codeHost = new RecordingCodeHost();
    for (const bad of [
      payload({ deployment_callback_url: undefined }),
      payload({ environment: undefined }),
      payload({ deployment: undefined }),
      payload({ deployment_callback_url: 'javascript:alert(1)' }),
      payload({ repository: { full_name: 'not a repo' } }),
    ]) {
      const { logger, lines } = recordingLogger();
      await deploymentProtectionRuleHandler(testDeps({ codeHost }), logger).handle({
        event: 'deployment_protection_rule',
        deliveryId: 'd2',
        bodyHash: '0'.repeat(64),
        payload: JSON.parse(JSON.stringify(bad)),
      });
      assert.deepEqual(
        lines.map((l) => l.level),
        ['warn'],
      );
    }
    assert.equal(codeHost.reviews.length, 0);
  });
});
