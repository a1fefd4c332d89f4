export { UniformQuantizer, fitUniformQuantizer, quantizeIndices, dequantize, quantizeRoundTrip, entropyCodedBits } from "./quantize";
export { jpegRoundTrip, jpegParts, JpegRoundTrip } from "./jpeg";
