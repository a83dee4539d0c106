import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { DossierRepository } from '../../functions/adapters/dossier-repository.js';
import { indexKeys, keys } from '../../functions/adapters/dossier-items.js';
import { DeadlineIndex } from '../../functions/adapters/deadline-index.js';
import { agencyInbox } from '../../functions/app/workflow.js';
import { listMyDossiers } from '../../functions/app/tracking.js';
import { applicantListAttributes, inboxAttributes } from '../../functions/declaration.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { fixtureProvince } from '../fixtures/province.js';

const stack = inject('localStack');

/**
 * A received dossier with everything the inbox judges by (a pause, an apology, both appointments) and a
 * form the lists never show, stored as the repository stores it (item, index keys) but without a history
 * event, so that no stream consumer of the shared stack acts on it.
 */
async function storeReceived(agencyId: string, subject: string): Promise<WorkflowDossier> {
  const at = '2026-03-02T01:00:00.000Z';
  const dossier: WorkflowDossier = {
    code: `000.00.99.H37-990102-${randomUUID().slice(0, 8)}`, serviceId: '1.001023', serviceCode: '1.001023.000.00.00.H37', serviceName: 'Cấp Phiếu lý lịch tư pháp', agencyId, agencyCode: '000.00.99.H37', agencyName: 'Sở Thử',
    applicantSubject: subject, applicant: { fullName: 'Nguyễn Văn Chiếu', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' },
    fields: { purpose: 'xin việc' }, channel: 'online', status: 2, version: 2, submittedAt: at, updatedAt: at, trackingPinHash: 'h',
    receivedAt: '2026-03-02T02:00:00.000Z',
    dueAt: '2026-03-13T10:00:00.000Z',
    legalDueAt: '2026-03-12T10:00:00.000Z',
    pauses: [{ kind: 'supplement', from: '2026-03-03T02:00:00.000Z', to: '2026-03-04T02:00:00.000Z' }],
    apologies: [{ at: '2026-03-05T02:00:00.000Z', reason: 'thiếu người', previousDueAt: '2026-03-12T10:00:00.000Z', newDueAt: '2026-03-13T10:00:00.000Z' }],
  };
  await dynamo().put({ TableName: stack.tableName, Item: { ...keys.dossier(dossier.code), entity: 'dossier', ...dossier, ...indexKeys(dossier) } });
  return dossier;
}

describe('the narrowed index projections against DynamoDB Local', () => {
  it('answer the inbox, the applicant list and the sweeper with what they show, and no more', async () => {
    // Prepare: an agency and a citizen of their own, so the pages hold this dossier alone
    const repo = new DossierRepository(dynamo(), stack.tableName);
    const agencyId = `projection-${Date.now().toString(36)}`;
    const subject = `projection-citizen-${Date.now().toString(36)}`;
    const base = fixtureProvince();
    const province = { ...base, agencies: [...base.agencies, { id: agencyId, code: '000.00.99.H37', name: 'Sở Thử', tier: 'province' }] } as typeof base;
    const stored = await storeReceived(agencyId, subject);
    const full = (await repo.get(stored.code))!.dossier;
    const now = new Date('2026-03-10T03:00:00.000Z');
    const official = { kind: 'official', subject: 'o', agencyId } as const;
    const citizen = { kind: 'citizen', subject } as const;
    // the same pages built from the whole item, as they were when the indexes projected ALL
    const whole = Object.assign(Object.create(repo) as DossierRepository, {
      inbox: async () => ({ items: [full] }),
      listByApplicant: async () => ({ items: [full] }),
    });
    // Act
    const inboxByStatus = await repo.inbox(agencyId, { status: 2 }, { limit: 10, viewer: 'official:o' });
    const inboxOpen = await repo.inbox(agencyId, { state: 'open' }, { limit: 10, viewer: 'official:o' });
    const mine = await repo.listByApplicant(subject, { limit: 10, viewer: `citizen:${subject}` });
    const swept: WorkflowDossier[] = [];
    for await (const d of new DeadlineIndex(dynamo(), stack.tableName).openDueBefore(agencyId, new Date('2026-04-01T00:00:00.000Z'))) swept.push(d);
    const deps = { repo, province, now, baseUrl: 'http://localhost' };
    // Assess: each index holds exactly its declared attributes of the dossier
    const pick = (names: readonly string[]) => Object.fromEntries(Object.entries(full).filter(([k]) => names.includes(k)));
    expect(inboxByStatus.items).toEqual([pick(inboxAttributes)]);
    expect(inboxOpen.items).toEqual([pick(inboxAttributes)]);
    expect(swept).toEqual([pick(inboxAttributes)]);
    expect(mine.items).toEqual([pick(applicantListAttributes)]);
    for (const item of [...inboxOpen.items, ...mine.items]) {
      expect(item.fields).toBeUndefined();
      expect(item.trackingPinHash).toBeUndefined();
    }
    // and the pages read from them are those the whole item gives
    for (const status of [2, 'open'] as const) {
      expect(await agencyInbox(deps, official, agencyId, { status, limit: 10 })).toEqual(await agencyInbox({ ...deps, repo: whole }, official, agencyId, { status, limit: 10 }));
    }
    expect(await listMyDossiers({ repo, now }, citizen, 10)).toEqual(await listMyDossiers({ repo: whole, now }, citizen, 10));
    expect((await agencyInbox(deps, official, agencyId, { status: 'open', limit: 10 })).items[0]).toMatchObject({ applicantName: 'Nguyễn Văn Chiếu', standing: expect.any(String) });
  });
});
