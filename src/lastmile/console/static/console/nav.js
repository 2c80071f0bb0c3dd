// The console's menu marks the section the page belongs to (aria-current="page"):
// the link whose path is the longest start of this page's path ("Today" only on /console/).
(function () {
  "use strict";
  function mark() {
    var here = window.location.pathname, best = null, bestLength = -1;
    document.querySelectorAll("header.top nav a[href]").forEach(function (a) {
      var path = new URL(a.href, window.location.href).pathname;
      var matches = path === here || (path !== "/console/" && here.indexOf(path) === 0);
      if (matches && path.length > bestLength) { best = a; bestLength = path.length; }
    });
    if (best) { best.setAttribute("aria-current", "page"); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mark); } else { mark(); }
})();
