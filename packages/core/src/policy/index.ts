// Curated exports of the policy module; filled in by its owner.
export {};
