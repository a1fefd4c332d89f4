export { embed, pcaScores, REDUCTION_METHODS, ReductionMethod, Embedding, EmbedOptions } from "./reduce";
