// Delivery charts (ECharts) from the data each page embeds with json_script.
// Policy titles and district or industry names are data: every label a tooltip shows is
// escaped, never inserted as HTML (axis labels and legends are drawn as canvas text).
(function () {
  if (!window.echarts) return;
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var tooltip = {
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
  };
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function bars(boxId, labels, series, stacked) {
    var box = document.getElementById(boxId);
    if (!box || !labels || !labels.length) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#e08a1e", "#1f5fa8", "#6a9fd8", "#1e7b4a"],
      animationDuration: 300,
      tooltip: tooltip,
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 90 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value" },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, stack: stacked ? "all" : undefined, barMaxWidth: 32 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var dash = read("dashboard-data");
  if (dash) {
    var cov = dash.coverage;
    bars("coverage-chart", cov.labels, Object.keys(cov.series).map(function (k) {
      return { name: k, data: cov.series[k] };
    }), true);
    var d = dash.district;
    bars("district-chart", d.labels, [{ name: d.names[0], data: d.granted }, { name: d.names[1], data: d.paid }]);
  }
  var sand = read("sandbox-data");
  if (sand) {
    ["district", "industry"].forEach(function (key) {
      var g = sand[key];
      bars("sandbox-" + key, g.labels, [{ name: sand.names[0], data: g.before }, { name: sand.names[1], data: g.after }]);
    });
  }
})();
