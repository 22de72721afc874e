// 绩效评价 charts (ECharts) from the data the page embeds with json_script: per indicator
// the means of the beneficiaries and of their matched firms, before and after, and the
// beneficiaries' path had they moved like the others (the gap at the end is the estimate).
// Every text a tooltip shows is escaped, never inserted as HTML.
(function () {
  if (!window.echarts) return;
  function esc(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var node = document.getElementById("outcomes-data");
  if (!node) return;
  var data = JSON.parse(node.textContent);
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
  (data.charts || []).forEach(function (c) {
    var box = document.getElementById(c.id);
    if (!box) return;
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var series = [c.treated, c.control, c.counterfactual].map(function (values, i) {
      return {
        name: data.names[i],
        type: "line",
        data: values,
        symbolSize: 8,
        lineStyle: i === 2 ? { type: "dashed" } : undefined
      };
    });
    chart.setOption({
      color: ["#e08a1e", "#1f5fa8", "#e08a1e"],
      animationDuration: 300,
      tooltip: tooltip,
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 60, bottom: 30 },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", scale: true },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
