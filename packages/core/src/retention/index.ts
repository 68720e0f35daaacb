// Curated exports of the retention module; filled in by its owner.
export {};
