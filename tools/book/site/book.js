// Draws every chart of the page with vega-embed (loaded from this site's assets) over its saved PNG.
// A chart that cannot be drawn keeps its PNG and says why on the console.
(function () {
  const charts = document.querySelectorAll("figure.chart[data-spec]");
  if (typeof vegaEmbed !== "function") {
    if (charts.length) console.error("vega-embed did not load: charts stay as images");
    return;
  }
  const options = { renderer: "canvas", actions: { export: true, source: false, compiled: false, editor: false } };
  charts.forEach(function (figure) {
    const spec = JSON.parse(document.getElementById(figure.dataset.spec).textContent);
    vegaEmbed(figure.querySelector(".chart-target"), spec, options).then(
      function () { figure.classList.add("drawn"); },
      function (err) { figure.classList.add("failed"); console.error("chart " + figure.dataset.spec + " not drawn: " + err.message); }
    );
  });
})();
