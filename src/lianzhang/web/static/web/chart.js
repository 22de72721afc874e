// Revenue and R&D expense over the years (万元), from the data the page embeds with json_script.
(function () {
  var box = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#1f5fa8", "#e08a1e"],
    animationDuration: 300,
    tooltip: { trigger: "axis" },
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
