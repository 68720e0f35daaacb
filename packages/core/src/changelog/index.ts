// Curated exports of the changelog module; filled in by its owner.
export {};
