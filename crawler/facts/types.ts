// Gathers outside facts (registry release histories, schemas) that checks ask for with `wants`.
import type { PackageLookup, PackageRef, SchemaFact } from '../../checks/contract.ts';

export interface FactProvider {
  /** One lookup per distinct ref; never rejects — failures come back as `undated` with a reason. */
  packages(refs: readonly PackageRef[]): Promise<Map<string, PackageLookup>>;
  renovateSchema(): Promise<SchemaFact>;
}
