import { describe, expect, it } from 'vitest';
import { dossierSnapshot, dossierSnapshotSchema } from '../../functions/domain/event-view.js';
import { DOSSIER_ITEM_SCHEMA_VERSION, eventItem, itemSchemaVersion, EVENT_ITEM_SCHEMA_VERSION, storedEventSchema } from '../../functions/adapters/event-item.js';
import { dossierItem } from '../../functions/adapters/dossier-items.js';
import { newImageOf, StreamRecordShapeError } from '../../functions/adapters/stream-image.js';
import type { DossierEvent } from '../../functions/domain/dossier.js';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';
import { itemBytes } from '../../bench/capacity.js';

const at = '2026-03-02T02:00:00.000Z';
const personal = { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', email: 'an@example.vn', address: 'Lạng Sơn', pinHash: 'pin-hash-0f3a9c', subject: 'citizen-a' };

/** A dossier with every personal attribute set and a workflow far enough along to carry most of the rest. */
const dossier: WorkflowDossier = {
  code: '000.00.14.H37-260302-0001', serviceId: '1.001023', serviceCode: '1.001023.000.00.00.H37', serviceName: 'Cấp Phiếu lý lịch tư pháp',
  agencyId: 'so-tu-phap', agencyCode: '000.00.14.H37', agencyName: 'Sở Tư pháp', applicantSubject: personal.subject,
  applicant: { fullName: personal.fullName, idNumber: personal.idNumber, phone: personal.phone, email: personal.email, address: personal.address },
  fields: { purpose: 'Xin việc', birthPlace: 'Lạng Sơn' }, channel: 'online', status: 9, version: 5, submittedAt: at, updatedAt: at,
  trackingPinHash: personal.pinHash, notify: { channels: ['sms'] },
  fees: { lines: [{ name: 'Lệ phí', amountVnd: 200_000, baseAmountVnd: 200_000 }], totalVnd: 200_000 },
  receivedAt: at, dueAt: at, legalDueAt: at, pauses: [{ kind: 'supplement', from: at, to: at }],
  receipt: { code: 'BN-1', documentsReceived: [], appointmentAt: at, issuedAt: at }, finishedAt: at, resultClass: 'on-time',
  rating: { value: 'satisfied', comment: `Cảm ơn, tôi là ${personal.fullName}`, at },
};

const event: DossierEvent = { eventId: 'evt-1', type: 'dossier.finish', dossierCode: dossier.code, version: 5, at, actor: { kind: 'official', subject: 'official-1', agencyId: 'so-tu-phap' }, from: 4, to: 9, agencyId: 'so-tu-phap' };
const key = { pk: `DOSSIER#${dossier.code}`, sk: 'EVENT#000005' };

const personalValuesIn = (value: unknown) => Object.values(personal).filter((v) => JSON.stringify(value).includes(v));

describe('the dossier view a history event carries', () => {
  it('keeps what the consumers read and none of the applicant’s personal data', () => {
    // Act
    const view = dossierSnapshot(dossier);

    // Assess
    expect(personalValuesIn(view)).toEqual([]);
    for (const k of ['applicant', 'fields', 'applicantSubject', 'trackingPinHash', 'notify']) expect(view).not.toHaveProperty(k);
    expect(view).toMatchObject({ code: dossier.code, agencyId: 'so-tu-phap', serviceId: '1.001023', status: 9, channel: 'online', fees: { totalVnd: 200_000 }, resultClass: 'on-time' });
    expect(view.receipt).toEqual({ documentsReceived: [], appointmentAt: at });
    expect(view.rating).toEqual({ value: 'satisfied', at });
  });

  it('is exactly what its schema reads back', () => {
    const view = dossierSnapshot(dossier);
    expect(dossierSnapshotSchema.parse(view)).toEqual(view);
  });

  it('is what a new event item stores, with the schema version, less what the event itself says', () => {
    // Act
    const item = eventItem(key, event, dossier);

    // Assess
    const { code: _c, version: _v, status: _s, agencyId: _a, updatedAt: _u, ...rest } = dossierSnapshot(dossier);
    expect(item).toMatchObject({ ...key, entity: 'event', schemaVersion: EVENT_ITEM_SCHEMA_VERSION, eventId: 'evt-1' });
    expect(item.dossier).toEqual(rest);
    expect(personalValuesIn(item)).toEqual([]);
  });

  it('keeps a value that differs from the event’s', () => {
    // Prepare: an event filed under another agency than the dossier's, at another version than the dossier's
    const elsewhere: DossierEvent = { ...event, agencyId: 'ubnd-huyen-cao-loc', version: 4 };

    // Act
    const item = eventItem(key, elsewhere, dossier);

    // Assess
    expect(item.dossier).toMatchObject({ agencyId: 'so-tu-phap', version: 5 });
    expect(item.dossier).not.toHaveProperty('code');
    expect(storedEventSchema.parse(item).dossier).toEqual(dossierSnapshot(dossier));
  });

  it('fits one DynamoDB write unit (1 KB) for the last event of a plain lifecycle', () => {
    // Prepare: the costed lifecycle (submitted with its fees paid, received, processed, finished, returned,
    // rated), its draft id and calendar basis set, names as long as the bench catalog's. A supplement or an
    // apology adds its own record to the view, and may take an event to a second unit.
    const rated: WorkflowDossier = {
      ...dossier,
      serviceName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', agencyName: 'Sở Tư pháp tỉnh Lạng Sơn (Bộ phận một cửa)',
      status: 10, version: 6, pauses: undefined, draftId: 'draft-2f1c9a7e-5b1d-4f0e-9a3c-7d2e8b6f4a10', calendarBasis: 'confirmed', submissionFeesPaidAt: at,
      receipt: { code: '000.00.14.H37-260302-0001', documentsReceived: ['Tờ khai', 'Bản sao CCCD'], appointmentAt: at, issuedAt: at, calendarBasis: 'confirmed' },
      returnedAt: at, resultClass: 'early',
    };
    const rate: DossierEvent = { ...event, eventId: 'evt-2b8e4c1d-9f3a-4e6b-8c2d-1a7f5e9b3c40', type: 'dossier.rate', version: 6, from: 10, to: 10, actor: { kind: 'citizen', subject: 'citizen-2b8e4c1d-9f3a-4e6b' } };

    // Act
    const item = eventItem({ pk: `DOSSIER#${rated.code}`, sk: 'EVENT#000006' }, rate, rated);

    // Assess: what DynamoDB bills, names and values in UTF-8
    expect(itemBytes(marshall(item, { removeUndefinedValues: true }) as never)).toBeLessThanOrEqual(1024);
    expect(storedEventSchema.parse(item).dossier).toEqual(dossierSnapshot(rated));
  });
});

describe('reading history event items of each version', () => {
  it('reads an item without a schema version as version 0 and reduces its whole-dossier copy to the view', () => {
    // Prepare: how event items were written before they carried a version
    const old = { ...key, entity: 'event', ...event, dossier };

    // Act
    const read = storedEventSchema.parse(old);

    // Assess
    expect(itemSchemaVersion(old)).toBe(0);
    expect(read.dossier).toEqual(dossierSnapshot(dossier));
    expect(personalValuesIn(read)).toEqual([]);
  });

  it('reads a version 1 item (the view whole, the receipt whole) as the same view', () => {
    // Prepare: how event items were written in version 1
    const v1 = { ...key, entity: 'event', schemaVersion: 1, ...event, dossier: { ...dossierSnapshot(dossier), receipt: dossier.receipt, draftId: 'draft-1', calendarBasis: 'statutory' } };

    // Act
    const read = storedEventSchema.parse(v1);

    // Assess
    expect(read).toMatchObject({ schemaVersion: 1, eventId: 'evt-1' });
    expect(read.dossier).toEqual(dossierSnapshot(dossier));
  });

  it('reads a version 2 item with the keys it left out taken from the event', () => {
    const item = eventItem(key, event, dossier);
    expect(itemSchemaVersion(item)).toBe(2);
    expect(storedEventSchema.parse(item)).toMatchObject({ schemaVersion: 2, eventId: 'evt-1', dossier: dossierSnapshot(dossier) });
  });

  it('writes dossier items as layout 1, unchanged since, so that a build from before layout 2 still reads them', () => {
    // Act
    const item = dossierItem(dossier);

    // Assess: the readers of the build before layout 2 accepted 0 and 1 only
    expect(item.schemaVersion).toBe(1);
    expect(DOSSIER_ITEM_SCHEMA_VERSION).toBe(1);
    expect(eventItem(key, event, dossier).schemaVersion).toBe(2);
  });

  it('refuses a version it does not know, and an item missing what consumers need', () => {
    const item = eventItem(key, event, dossier);
    expect(storedEventSchema.safeParse({ ...item, schemaVersion: EVENT_ITEM_SCHEMA_VERSION + 1 }).success).toBe(false);
    // version 1 kept every key in the view: nothing is taken from the event for it
    expect(storedEventSchema.safeParse({ ...item, schemaVersion: 1 }).success).toBe(false);
    const { serviceId: _, ...withoutService } = item.dossier;
    expect(storedEventSchema.safeParse({ ...item, dossier: withoutService }).success).toBe(false);
    expect(storedEventSchema.safeParse({ ...item, dossier: 'not a view' }).success).toBe(false);
    expect(storedEventSchema.safeParse('not an item').success).toBe(false);
  });
});

describe('a stream record that does not fit its schema', () => {
  it('is refused naming its keys and the failed paths, none of its values', () => {
    // Prepare: an old item (whole dossier, personal data included) whose event lacks its id and whose status is unknown
    const { eventId: _, ...withoutId } = { ...key, entity: 'event', ...event, dossier: { ...dossier, status: 42 } };
    const record: DynamoDBRecord = {
      eventID: 'r-1',
      dynamodb: { Keys: marshall(key) as never, NewImage: marshall(withoutId, { removeUndefinedValues: true }) as never, SequenceNumber: '7' },
    };

    // Act
    const refusal = (() => {
      try {
        newImageOf(record, storedEventSchema);
      } catch (err) {
        return err;
      }
    })();

    // Assess
    expect(refusal).toBeInstanceOf(StreamRecordShapeError);
    const message = (refusal as Error).message;
    expect(message).toContain(`${key.pk} ${key.sk}`);
    expect(message).toContain('eventId');
    expect(message).toContain('dossier.status');
    expect(personalValuesIn(message)).toEqual([]);
    expect(message).not.toContain('42');
  });
});
