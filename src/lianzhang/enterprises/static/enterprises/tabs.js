// The enterprise file's tabs (一企一档). Without this script every panel shows, one under the
// other; with it, one panel at a time. The address keeps the open tab (#tab-policies), so a
// link or a reload opens it again, and a link to a section inside a panel (#credit) opens
// that panel. Bound by listeners: the Content-Security-Policy forbids inline script.
(function () {
  var bar = document.querySelector("[data-tabs]");
  if (!bar) return;
  var tabs = Array.prototype.slice.call(bar.querySelectorAll("[role=tab]"));
  var panels = tabs.map(function (tab) {
    return document.getElementById(tab.getAttribute("aria-controls"));
  });

  function show(index, focus) {
    tabs.forEach(function (tab, i) {
      var on = i === index;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.setAttribute("tabindex", on ? "0" : "-1");
      if (panels[i]) panels[i].hidden = !on;
    });
    if (focus) tabs[index].focus();
    // a chart drawn while its panel was hidden takes its size now
    window.dispatchEvent(new Event("resize"));
  }

  function fromHash() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    for (var i = 0; target && i < panels.length; i++) {
      if (panels[i] && panels[i].contains(target)) return i;
    }
    return 0;
  }

  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function (event) {
      event.preventDefault();
      show(i, false);
      history.replaceState(null, "", "#" + panels[i].id);
    });
    tab.addEventListener("keydown", function (event) {
      var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      var next = (i + step + tabs.length) % tabs.length;
      show(next, true);
      history.replaceState(null, "", "#" + panels[next].id);
    });
  });
  window.addEventListener("hashchange", function () { show(fromHash(), false); });
  bar.classList.add("ready");
  show(fromHash(), false);
})();
