/** A seeded random number generator: numbers in [0, 1), the same sequence for a seed. */
export declare function seededRandom(seed: number): () => number;
