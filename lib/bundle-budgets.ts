/**
 * Size budgets of the function bundles (minified bytes). Reads of the catalog and the statistics are the
 * public pages' first requests after a quiet hour: they get the tight one.
 */
export const defaultBundleBudget = 300 * 1024;
export const publicReadBudget = 120 * 1024;
export const publicReads: readonly string[] = ['ListServices', 'GetService', 'ListAgencies', 'GetStats', 'RankAgencies'];
/** module init, ms, in the bench */
export const initBudgetMs = 100;

export function bundleBudget(functionId: string): number {
  return publicReads.includes(functionId) ? publicReadBudget : defaultBundleBudget;
}
