// Curated exports of the registry module; filled in by its owner.
export {};
