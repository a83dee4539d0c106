import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 names each IAM5 finding after the resource string as it appears in the template, with
 * references flattened (`{"Fn::GetAtt":["Table","Arn"]}` → `<Table.Arn>`, `${AWS::Region}` → `<AWS::Region>`).
 * Acknowledgements must match that id exactly, so they are derived from the same value the grant used
 * instead of being hand-copied logical ids that break when a construct is renamed.
 */
export function nagResourceId(scope: IConstruct, value: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(value))}`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in o) return flatten(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Fn::ImportValue' in o) return flatten(o['Fn::ImportValue']);
    if ('Ref' in o) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** One acknowledgement per finding id: cdk-nag 3 has no prefix matching, and each one must say why. */
export function acknowledge(scope: IConstruct, findings: Record<string, string>): void {
  for (const [id, reason] of Object.entries(findings)) {
    if (!reason.trim()) throw new Error(`acknowledgement of ${id} on ${scope.node.path} has no reason`);
    Validations.of(scope).acknowledge({ id, reason });
  }
}
