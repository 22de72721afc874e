// The chain map (ECharts tree) from the data the page embeds with json_script.
// Chain and node names are data an analyst types: every tooltip escapes them, never HTML.
// A click on a node lists its enterprises in #node-panel through htmx.
(function () {
  var el = document.getElementById("chain-chart");
  var source = document.getElementById("chain-tree");
  if (!el || !source || !window.echarts) return;
  var tree = JSON.parse(source.textContent);
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var chart = echarts.init(el);
  window.chainChart = chart;
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: function (p) {
        var d = p.data || {};
        if (!d.id) return esc(d.name);
        return esc(d.name) + "<br>" + esc(d.enterprises || 0) + " · " + esc(d.output || "");
      }
    },
    series: [{
      type: "tree", data: [tree], symbol: "circle", top: "4%", bottom: "4%", left: "8%", right: "18%",
      initialTreeDepth: -1, expandAndCollapse: false, roam: true,
      label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
      leaves: { label: { position: "right", align: "left" } }
    }]
  });
  chart.on("click", function (p) {
    if (!p.data || !p.data.id || !window.htmx) return;
    htmx.ajax("GET", el.dataset.nodeUrl + "/" + p.data.id + "/", "#node-panel");
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
