import { v7 } from 'uuid';

/** Time-ordered UUID v7: ids sort by creation time, which keeps index and B-tree inserts local. */
export function newId(): string {
  return v7();
}
