import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { addMotcua, type AddMotcuaOptions } from '../../lib/app.js';
import type { MotcuaStack } from '../../lib/motcua-stack.js';
import type { StageName } from '../../lib/stage.js';
import { fromRoot } from '../../lib/paths.js';
import { parseProvince } from '../../provinces/load.js';
import type { Province, ProvinceInput } from '../../provinces/schema.js';

export interface GenerateOptions {
  readonly id?: string;
  readonly agencies?: number;
  readonly portalOrigins?: readonly string[];
}

/**
 * A schema-valid province of any size: two tiers, a few departments and as many communes as asked, one
 * service per tier. Parsing it through the real schema keeps the fixture honest when the schema moves.
 */
export function generateProvinceInput(options: GenerateOptions = {}): ProvinceInput {
  const count = options.agencies ?? 5;
  const agencies = Array.from({ length: count }, (_, i) => {
    const department = i < Math.min(20, Math.ceil(count / 2));
    const n = String(i + 1).padStart(2, '0');
    return {
      id: department ? `so-${i + 1}` : `xa-${i + 1}`,
      code: `000.${department ? '00' : '10'}.${String((i % 99) + 1).padStart(2, '0')}.H99`,
      name: department ? `Sở số ${n}` : `UBND xã số ${n}`,
      tier: department ? 'province' : 'commune',
    };
  });
  return {
    id: options.id ?? 'generated',
    name: 'Tỉnh Thử Nghiệm',
    code: 'H99',
    tiers: [
      { id: 'province', name: 'Cấp tỉnh' },
      { id: 'commune', name: 'Cấp xã' },
    ],
    agencies,
    services: [
      {
        id: 'birth-registration',
        code: '1.001193.000.00.00.H99',
        name: 'Đăng ký khai sinh',
        field: 'Hộ tịch',
        tier: agencies.some((a) => a.tier === 'commune') ? 'commune' : 'province',
        level: 4,
        fullyOnline: true,
        processing: { amount: 1, unit: 'working-days' },
      },
    ],
    calendar: { years: { '2026': { holidays: [{ date: '2026-01-01', name: 'Tết Dương lịch' }] } } },
    portalOrigins: [...(options.portalOrigins ?? ['https://dichvucong.example.gov.vn'])],
  };
}

export function generateProvince(options: GenerateOptions = {}): Province {
  return parseProvince(generateProvinceInput(options), 'generated');
}

/** The feature flags of cdk.json, so that tests synthesize what `cdk synth` does. */
const cdkJsonContext = (JSON.parse(readFileSync(fromRoot('cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** Skips esbuild for every function: the tests look at the template, not at the bundles. */
export const noBundling = { 'aws:cdk:bundling-stacks': [] as string[] };

export const testContext: Record<string, unknown> = { ...cdkJsonContext, ...noBundling };

export interface Built {
  readonly app: App;
  readonly stack: MotcuaStack;
}

export interface BuildOptions extends Partial<Omit<AddMotcuaOptions, 'province'>> {
  readonly stage?: StageName;
  /**
   * CDK's own template validation (a WebAssembly linter) costs seconds per synthesis; one test keeps it on,
   * the others skip it.
   */
  readonly cfnValidation?: boolean;
}

export function build(province: Province, options: BuildOptions = {}): Built {
  const app = new App({ context: testContext, builtinCloudFormationValidation: options.cfnValidation ?? false });
  const stack = addMotcua(app, { province, stage: options.stage ?? 'prod', nag: options.nag ?? false, ...options });
  return { app, stack };
}

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Every statement of the inline policies attached to one declared function's role. */
export function statementsOf(stack: MotcuaStack, template: Record<string, unknown>, declarationId: string): Statement[] {
  const handler = stack.functions.get(declarationId);
  if (!handler) throw new Error(`no function for ${declarationId}`);
  const roleId = stack.getLogicalId(handler.role.node.defaultChild as CfnElement);
  return Object.values(template.Resources as Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties?.Roles as unknown[] | undefined)?.some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

export function allowedActions(statements: readonly Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

export function resourceCount(template: { Resources?: Record<string, unknown> }): number {
  return Object.keys(template.Resources ?? {}).length;
}
