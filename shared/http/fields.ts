/**
 * Medusa's `fields` query parameter (FieldParser in @medusajs/framework 2.21), and the
 * shaping of a read-model document by it.
 *
 * - no `fields`: the route's defaults;
 * - any bare name (no `+`, `-`, ` `, `*` prefix, no `.*` suffix): replace the defaults;
 * - otherwise apply `+x` / ` x` (add), `-x` (remove x and x.*), `*rel` / `rel.*` (whole relation);
 * - `id` always comes back once `fields` is given; unknown names are left out silently.
 */

export interface FieldSelection {
  /** Scalar fields and dotted relation fields (`groups.name`), in request order. */
  fields: string[];
  /** Relations asked for whole (`*addresses`, `groups.*`). */
  relations: string[];
}

const stripModifier = (field: string): string => field.replace(/^[+ \t-]+/, "").trim();

const isModifier = (field: string): boolean =>
  field.startsWith("-") || field.startsWith("+") || field.startsWith(" ") || field.startsWith("*") || field.endsWith(".*");

export function parseFields(fields: string | undefined, defaults: readonly string[]): FieldSelection {
  let selected = new Set(defaults);
  if (fields !== undefined) {
    const custom = fields.split(",").filter(Boolean);
    if (custom.length === 0 || !custom.every(isModifier)) {
      selected = new Set(custom.map(stripModifier));
    } else {
      for (const field of custom) {
        if (field.startsWith("+") || field.startsWith(" ")) selected.add(stripModifier(field));
        else if (field.startsWith("-")) {
          const name = stripModifier(field);
          for (const existing of selected) {
            const bare = existing.replace(/^\*/, "");
            if (bare === name || bare.startsWith(`${name}.`)) selected.delete(existing);
          }
        } else selected.add(field);
      }
    }
    selected.add("id");
  }
  const result: FieldSelection = { fields: [], relations: [] };
  for (const field of selected) {
    if (field.startsWith("*") || field.endsWith(".*")) result.relations.push(field.replace(/(^\*|\.\*$)/, ""));
    else result.fields.push(field);
  }
  return result;
}

/** How an entity's relations are shown in full: each item's keys, in Medusa's order. */
export type RelationShapes = Record<string, readonly string[]>;

/**
 * Builds the response object: scalar fields the entity has, dotted fields as arrays of
 * picked relation fields, whole relations as full items. Relations are arrays.
 */
export function shapeEntity(entity: Record<string, unknown>, selection: FieldSelection, scalars: readonly string[], relations: RelationShapes): Record<string, unknown> {
  const plan = shapePlan(selection, scalars, relations);
  const shaped: Record<string, unknown> = {};
  for (const field of plan.scalars) shaped[field] = entity[field] ?? null;
  for (const [relation, columns] of plan.relations) {
    const items = (entity[relation] as Array<Record<string, unknown>> | undefined) ?? [];
    shaped[relation] = items.map((item) => {
      const out: Record<string, unknown> = {};
      for (const column of columns) out[column] = item[column] ?? null;
      return out;
    });
  }
  return shaped;
}

/** Which keys an answer has, in order: worked out once per selection, not once per entity of a page. */
interface ShapePlan {
  scalars: string[];
  /** Each relation shown, with the columns of its items (known ones only). */
  relations: Array<[string, string[]]>;
}

const plans = new WeakMap<FieldSelection, Map<readonly string[], ShapePlan>>();

function shapePlan(selection: FieldSelection, scalars: readonly string[], relations: RelationShapes): ShapePlan {
  let bySchema = plans.get(selection);
  if (!bySchema) {
    bySchema = new Map();
    plans.set(selection, bySchema);
  }
  let plan = bySchema.get(scalars);
  if (plan) return plan;
  plan = { scalars: [], relations: [] };
  const picked = new Map<string, string[]>();
  for (const field of selection.fields) {
    const dot = field.indexOf(".");
    if (dot === -1) {
      if (scalars.includes(field)) plan.scalars.push(field);
      else if (Object.hasOwn(relations, field)) picked.set(field, [...(relations[field] ?? [])]);
      continue;
    }
    const relation = field.slice(0, dot);
    if (!Object.hasOwn(relations, relation)) continue;
    const columns = picked.get(relation) ?? [];
    columns.push(field.slice(dot + 1));
    picked.set(relation, columns);
  }
  for (const relation of selection.relations) {
    if (Object.hasOwn(relations, relation)) picked.set(relation, [...(relations[relation] ?? [])]);
  }
  for (const [relation, columns] of picked) {
    const known = new Set(relations[relation]);
    plan.relations.push([relation, columns.filter((column) => known.has(column))]);
  }
  bySchema.set(scalars, plan);
  return plan;
}
