// Revenue and R&D expense over the years (万元), from the data the page embeds with json_script.
// The tooltip escapes every label it shows: nothing from the data is inserted as HTML.
(function () {
  var box = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#1f5fa8", "#e08a1e"],
    animationDuration: 300,
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        if (!items.length) return "";
        var lines = [esc(items[0].axisValueLabel)];
        items.forEach(function (p) {
          var v = p.value === null || p.value === undefined ? "—" : echarts.format.addCommas(p.value);
          lines.push(p.marker + esc(p.seriesName) + "：" + esc(v));
        });
        return lines.join("<br>");
      }
    },
    legend: { top: 0 },
    grid: { left: 70, right: 70, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: [
      { type: "value", name: data.labels.revenue + " (" + data.labels.unit + ")" },
      { type: "value", name: data.labels.rd_expense + " (" + data.labels.unit + ")",
        alignTicks: true, splitLine: { show: false } }
    ],
    series: [
      { name: data.labels.revenue, type: "bar", data: data.revenue, barMaxWidth: 36 },
      { name: data.labels.rd_expense, type: "line", yAxisIndex: 1, data: data.rd_expense,
        connectNulls: false, showAllSymbol: true, symbolSize: 9, z: 3 }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
