// The print report: the "Print / save as PDF" button, and the chain map (ECharts tree, SVG)
// from the data the page embeds with json_script; node names are drawn as SVG text (no tooltip).
(function () {
  var button = document.getElementById("print-button");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
  var box = document.getElementById("print-chart");
  var source = document.getElementById("print-tree");
  if (!box || !source || !window.echarts) return;
  var tree = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    series: [{
      type: "tree", data: [tree], symbol: "circle",
      top: "3%", bottom: "3%", left: "12%", right: "22%", initialTreeDepth: -1, expandAndCollapse: false,
      label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 9 },
      leaves: { label: { position: "right", align: "left" } }
    }]
  });
})();
