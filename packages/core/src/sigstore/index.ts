// Curated exports of the sigstore module; filled in by its owner.
export {};
