// Curated exports of the semver module; filled in by its owner.
export {};
