export { showChart, chartBundle, LiveChart, VEGA_LITE_MIME } from "./chart";
export { showImages, imageGridPng, rowLabelWidth, GridOptions } from "./images";
export { vegaLiteToSvg, vegaLiteToPng, svgToPng, VegaLiteSpec, ChartError, strictCharts } from "./render";
export { displayBundle, inJupyter } from "../display/jupyter";
export { embeddingSpec, codesOverPriorSpec, imageDataUrl, EmbeddingChartOptions } from "./embedding";
export { clusterRows, showClusters } from "./clusters";
