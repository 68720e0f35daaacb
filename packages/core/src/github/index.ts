// Curated exports of the github module; filled in by its owner.
export {};
