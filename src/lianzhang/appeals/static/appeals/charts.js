// Appeals dashboard charts (ECharts) from the data the page embeds with json_script.
// Unit names are data: every label a tooltip shows is escaped, never inserted as HTML.
(function () {
  if (!window.echarts) return;
  var node = document.getElementById("appeals-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function tooltip(unit) {
    return {
      trigger: "axis",
      formatter: function (items) {
        var lines = [esc(items[0].axisValueLabel)];
        items.forEach(function (p) {
          var v = p.value === null || p.value === undefined ? "—" : p.value + unit;
          lines.push(p.marker + esc(p.seriesName) + "：" + esc(v));
        });
        return lines.join("<br>");
      }
    };
  }
  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (data.units.length) {
    draw("rates-chart", {
      color: ["#1f5fa8", "#6a9fd8", "#1e7b4a", "#e08a1e", "#b03a2e"],
      animationDuration: 300,
      tooltip: tooltip("%"),
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 50, bottom: 90, containLabel: true },
      xAxis: { type: "category", data: data.units, axisLabel: { rotate: 30, interval: 0, width: 120, overflow: "truncate" } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.rates.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 18 };
      })
    });
  }
  if (data.months.length) {
    draw("trend-chart", {
      color: ["#1f5fa8", "#1e7b4a", "#b03a2e"],
      animationDuration: 300,
      tooltip: tooltip(""),
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 30, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.trend.map(function (s) {
        return { name: s.name, type: "line", data: s.data, symbolSize: 7 };
      })
    });
  }
})();
