import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { provinceFilePath } from '../provinces/load.js';
import type { Province } from '../provinces/schema.js';
import { MotcuaStack, stackName, type MotcuaStackProps } from './motcua-stack.js';
import { rootRelative } from './paths.js';
import type { StageName } from './stage.js';

export interface AddMotcuaOptions extends Pick<MotcuaStackProps, 'throttle' | 'routes' | 'consumers' | 'alarmEmail'> {
  readonly province: Province;
  readonly stage: StageName;
  /** defaults to provinces/<id>.json */
  readonly provinceFile?: string;
  /** an imported catalog directory relative to the repository root (province must already include its agencies: withCatalog) */
  readonly catalogDir?: string;
  /** run the AWS Solutions checks at synthesis (default true); any unacknowledged finding fails it */
  readonly nag?: boolean;
}

/** Adds one province's stack to an app; bin/ and the infra tests build the very same thing through here. */
export function addMotcua(app: App, options: AddMotcuaOptions): MotcuaStack {
  const { province, stage } = options;
  const stack = new MotcuaStack(app, stackName(province.id, stage), {
    province,
    stage,
    provinceFile: options.provinceFile ?? rootRelative(provinceFilePath(province.id)),
    ...(options.catalogDir ? { catalogDir: options.catalogDir } : {}),
    throttle: options.throttle,
    routes: options.routes,
    consumers: options.consumers,
    ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    description: `motcua: online public services and one-stop back office of ${province.name} (${stage})`,
    tags: { project: 'motcua', province: province.id, stage },
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
