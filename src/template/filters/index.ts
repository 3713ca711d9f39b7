// Every filter by name.
import type { Filter } from "../scope";
import { COLLECTION_FILTERS } from "./collections";
import { DATA_FILTERS } from "./data";
import { DATE_FILTERS } from "./date";
import { TEXT_FILTERS } from "./text";

export const FILTERS: Record<string, Filter> = {
  ...TEXT_FILTERS,
  ...COLLECTION_FILTERS,
  ...DATA_FILTERS,
  ...DATE_FILTERS,
};
