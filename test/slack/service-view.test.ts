// The `/incident service` answer: catalog text escaped (it is outside input), links only as links,
// private incidents (for members only) marked, each on-call state said, the catalog's problems in its foot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogService } from '../../src/domain/catalog.ts';
import type { ServiceView } from '../../src/services/catalog/show-service.ts';
import { serviceMessage } from '../../src/slack/views/service.ts';

const service: CatalogService = {
  ref: 'component:default/ehr-api',
  kind: 'Component',
  name: 'ehr-api',
  title: 'EHR <API>',
  description: 'Calls <!channel> & more',
  owner: 'group:default/platform',
  ownerName: 'Platform <b>',
  system: null,
  pagerDutyServiceId: 'PEHR123',
  slackChannel: '#platform',
  clinicalCriticality: 'clinical-support',
  githubProjectSlug: null,
  jiraProjectKey: null,
  links: [{ url: 'https://x.example.org/run book?a=<b>', title: 'Run|book', kind: 'runbook' }],
};

function view(over: Partial<ServiceView> = {}): ServiceView {
  return {
    service,
    onCall: { status: 'not-configured' },
    openIncidents: [
      {
        ref: 'INC-3',
        // Listed only for a member of its channel (showService leaves it out for anyone else).
        title: 'Ward <pager> down',
        isPrivate: true,
        severity: 'SEV1',
        status: 'INVESTIGATING',
        nearMiss: false,
        declaredAt: new Date('2026-11-24T10:00:00Z'),
        channelId: 'C0INC3',
      },
      {
        ref: 'INC-4',
        title: 'Logins <slow>',
        isPrivate: false,
        severity: 'SEV3',
        status: 'IDENTIFIED',
        nearMiss: false,
        declaredAt: new Date('2026-11-24T11:00:00Z'),
        channelId: 'C0INC4',
      },
    ],
    recentCount: 0,
    recent: [],
    actionItems: [],
    actionItemsTotal: 0,
    actionItemsCapped: false,
    changes: [],
    catalog: { source: 'file', loadedAt: new Date('2026-11-24T12:00:00Z'), problemCount: 0, problems: [] },
    now: new Date('2026-11-24T12:30:00Z'),
    ...over,
  };
}

describe('serviceMessage', () => {
  test('catalog text is escaped; links are links; a private incident (shown to a member) is marked', () => {
    const msg = serviceMessage(view());
    // The header is plain text (shown as typed); everything else is mrkdwn.
    assert.deepEqual(msg.blocks[0], {
      type: 'header',
      text: { type: 'plain_text', text: 'EHR <API> (ehr-api)', emoji: true },
    });
    const text = JSON.stringify(msg.blocks.slice(1));
    assert.doesNotMatch(text, /<!channel>|<b>|<API>|<slow>/);
    assert.match(text, /Calls &lt;!channel&gt; &amp; more/);
    assert.match(text, /Platform &lt;b&gt; · #platform/);
    assert.match(text, /Clinical support/);
    assert.match(text, /<https:\/\/x.example.org\/run%20book\?a=%3Cb%3E\|Run¦book>/);
    assert.match(text, /\*INC-3\* :lock: Ward &lt;pager&gt; down · SEV1 · Investigating · .* in <#C0INC3>/);
    assert.doesNotMatch(text, /\(private\)/);
    assert.match(text, /\*INC-4\* Logins &lt;slow&gt; · SEV3 · Identified · .* in <#C0INC4>/);
    assert.match(text, /PagerDuty is not configured/);
    assert.match(text, /No changes recorded in the last 30 days/);
    assert.doesNotMatch(text, /The catalog has/);
    assert.equal(msg.text, 'EHR &lt;API&gt;: owned by Platform &lt;b&gt;');
  });

  test('each on-call state; the catalog problems and a changes outage', () => {
    const unknown = JSON.stringify(serviceMessage(view({ onCall: { status: 'unknown' } })).blocks);
    assert.match(unknown, /PagerDuty has no service PEHR123/);
    const down = JSON.stringify(
      serviceMessage(view({ onCall: { status: 'unavailable', reason: 'timeout' }, changes: null })).blocks,
    );
    assert.match(down, /PagerDuty could not be asked just now \(timeout\)/);
    assert.match(down, /The changes could not be read just now/);
    const ok = JSON.stringify(
      serviceMessage(
        view({
          onCall: {
            status: 'ok',
            now: [
              { level: 1, name: 'Zed <x>', end: null, slackUserId: null },
              { level: 2, name: 'Bob', end: null, slackUserId: 'UBOB' },
            ],
          },
        }),
      ).blocks,
    );
    assert.match(ok, /Level 1: Zed &lt;x&gt; _\(not in Slack\)_, Level 2: <@UBOB>/);
    const problems = JSON.stringify(
      serviceMessage(
        view({
          catalog: {
            source: 'file',
            loadedAt: null,
            problemCount: 7,
            problems: [{ source: 'a.yaml#1', message: 'metadata.name <bad>: it was skipped' }],
          },
        }),
      ).blocks,
    );
    assert.match(
      problems,
      /The catalog has 7 problems: a.yaml#1: metadata.name &lt;bad&gt;: it was skipped …and 6 more/,
    );
  });
});
