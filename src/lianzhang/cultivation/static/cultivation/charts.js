// 梯度培育 charts (ECharts) from the data the page embeds with json_script.
// District and tier names are data: tooltips escape them, never insert them as HTML.
(function () {
  if (!window.echarts) return;
  var node = document.getElementById("cultivation-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // The pyramid: the base (规上) widest at the bottom, as the bureaus draw it.
  draw("pyramid-chart", {
    color: ["#1f5fa8"],
    animationDuration: 300,
    tooltip: {
      trigger: "item",
      formatter: function (p) { return esc(p.name) + "：" + esc(p.value); }
    },
    series: [{
      type: "funnel", sort: "ascending", left: "10%", width: "80%", top: 10, bottom: 10,
      minSize: "12%", gap: 2,
      label: { show: true, position: "inside", formatter: function (p) { return p.name + " " + p.value; } },
      data: data.tiers.map(function (name, i) { return { name: name, value: data.counts[i] }; })
    }]
  });
  if (data.targets.length) {
    draw("targets-chart", {
      color: ["#b8c7db", "#1e7b4a"],
      animationDuration: 300,
      legend: { top: 0 },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [esc(items[0].axisValueLabel)];
          items.forEach(function (p) { lines.push(p.marker + esc(p.seriesName) + "：" + esc(p.value)); });
          return lines.join("<br>");
        }
      },
      grid: { left: 40, right: 20, top: 40, bottom: 90, containLabel: true },
      xAxis: { type: "category", data: data.targets, axisLabel: { rotate: 30, interval: 0, width: 120, overflow: "truncate" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.target, type: "bar", data: data.target, barMaxWidth: 18 },
        { name: data.labels.achieved, type: "bar", data: data.achieved, barMaxWidth: 18 }
      ]
    });
  }
})();
