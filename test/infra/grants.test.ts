import { beforeAll, describe, expect, test } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { consumers, routes, type ConsumerDeclaration, type RouteDeclaration, type TableScope } from '../../functions/declaration.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import { build, generateProvince, statementsOf, type Statement } from './fixtures.js';

/** Attributes of a dossier item (and of its events' snapshots) that carry personal data. */
const personal = ['applicant', 'fields', 'applicantSubject', 'gsi2pk', 'dossier', 'rating'];

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);
const matches = (pattern: string, key: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(key);

describe('the grants of each function', { timeout: 60_000 }, () => {
  let stack: MotcuaStack;
  let json: Record<string, unknown>;
  const statements = (id: string) => statementsOf(stack, json, id);
  const dynamo = (id: string) => statements(id).filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('dynamodb:')));
  const s3 = (id: string) => statements(id).filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a.startsWith('s3:')));

  beforeAll(() => {
    // Prepare
    ({ stack } = build(generateProvince({ id: 'quyen', agencies: 3 })));
    json = Template.fromStack(stack).toJSON();
  }, 60_000);

  test('public functions reach only the items their declaration scopes, on the table itself, never an index or a Scan', () => {
    const publicWithTable = (routes as readonly RouteDeclaration[]).filter((r) => r.access === 'public' && r.grants.table);
    for (const route of publicWithTable.filter((r) => ['TrackDossier', 'GetStats', 'RankAgencies', 'PaymentReturn'].includes(r.id))) {
      // Act
      const granted = dynamo(route.id);
      // Assert
      expect(granted.length, route.id).toBeGreaterThan(0);
      for (const st of granted) {
        expect(st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'], `${route.id} is scoped by leading key`).toBeDefined();
        expect(JSON.stringify(st.Resource), `${route.id} names no index`).not.toContain('/index/');
        expect(actionsOf(st), `${route.id} cannot scan`).not.toContain('dynamodb:Scan');
      }
    }
  });

  test('public functions cannot read the personal data of dossier items', () => {
    for (const id of ['TrackDossier', 'GetStats', 'RankAgencies', 'PaymentReturn']) {
      for (const st of dynamo(id)) {
        const leading = st.Condition!['ForAllValues:StringLike']!['dynamodb:LeadingKeys'] as string[];
        if (!leading.some((p) => matches(p, 'DOSSIER#H99-001'))) continue;
        // Assert: a dossier partition is readable only through an attribute list, and a projection is demanded
        const attributes = st.Condition!['ForAllValues:StringEquals']?.['dynamodb:Attributes'] as string[] | undefined;
        expect(attributes, `${id} reads dossier partitions only by attribute`).toBeDefined();
        expect(st.Condition!.StringEqualsIfExists?.['dynamodb:Select']).toBe('SPECIFIC_ATTRIBUTES');
        for (const attribute of personal) expect(attributes, `${id} may not read ${attribute}`).not.toContain(attribute);
      }
    }
  });

  test('the statistics functions read the counters and nothing else', () => {
    for (const id of ['GetStats', 'RankAgencies']) {
      // Act
      const granted = dynamo(id);
      // Assert
      expect(granted.map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toEqual([['STATS#*']]);
      expect(actionsOf(granted[0]!).every((a) => ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'].includes(a))).toBe(true);
      expect(s3(id)).toEqual([]);
    }
  });

  test('tracking writes only its failure counters', () => {
    const writes = dynamo('TrackDossier').filter((s) => actionsOf(s).includes('dynamodb:UpdateItem'));
    expect(writes.map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'])).toEqual([['TRACKING#*']]);
  });

  test('every scope of the declaration becomes a statement, so the stack reads the scopes from it', () => {
    for (const d of [...routes, ...consumers] as readonly (RouteDeclaration | ConsumerDeclaration)[]) {
      if (!Array.isArray(d.grants.table)) continue;
      const scopes = d.grants.table as readonly TableScope[];
      const leading = dynamo(d.id).map((s) => JSON.stringify(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']));
      for (const scope of scopes) expect(leading, d.id).toContain(JSON.stringify(scope.leadingKeys));
    }
  });

  test('upload functions may only put objects under the documents prefix', () => {
    for (const id of ['UploadDocument', 'UploadResult']) {
      const granted = s3(id);
      expect(granted.flatMap(actionsOf), id).toEqual(['s3:PutObject']);
      expect(JSON.stringify(granted[0]!.Resource), id).toMatch(/\/dossiers\/\*"/);
    }
  });

  test('download functions only get objects (and versions) under the documents prefix', () => {
    for (const id of ['GetDocument', 'GetResult']) {
      const granted = s3(id);
      expect(granted.flatMap(actionsOf).sort(), id).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
      expect(JSON.stringify(granted.map((s) => s.Resource)), id).toMatch(/\/dossiers\/\*"/);
    }
  });

  test('the verifier deletes only under the documents prefix and writes only into quarantine; nobody lists the bucket', () => {
    const granted = s3('VerifyDocuments');
    expect([...new Set(granted.flatMap(actionsOf))].sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:GetObjectVersion', 's3:PutObject']);
    const deletes = granted.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:Delete')));
    expect(JSON.stringify(deletes.map((s) => s.Resource))).toMatch(/\/dossiers\/\*"/);
    expect(JSON.stringify(deletes.map((s) => s.Resource))).not.toMatch(/\/rejected\//);
    const puts = granted.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(JSON.stringify(puts.map((s) => s.Resource))).toMatch(/\/rejected\/\*"/);
    expect(JSON.stringify(puts.map((s) => s.Resource))).not.toMatch(/\/dossiers\//);
    for (const d of [...routes, ...consumers]) expect(s3(d.id).flatMap(actionsOf).filter((a) => a.startsWith('s3:List') || a.startsWith('s3:GetBucket')), d.id).toEqual([]);
  });
});
