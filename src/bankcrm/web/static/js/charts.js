// Every chart in the CRM goes through here, so they all read the same at 1366 px and on a
// phone: axis labels inside the chart (grid containLabel), legends in a row of their own
// below the plot (a scroll legend, so its "1/3" pager never sits on an axis), axis names
// aligned into the chart rather than cut at its edge, and one set of colours and
// number formats in the page's language.
//
// Pages with behaviour of their own call BankCharts.draw(id, option); an element with
// data-chart="ISLAND" is drawn from the option the server wrote whole (titles and labels
// already translated) into the JSON island <script id="ISLAND" type="application/json">.
// A chart's height comes from its CSS class or its data-chart-height attribute: the pages
// carry no style attributes.
(function () {
  "use strict";
  var echarts = window.echarts;
  if (typeof echarts === "undefined") {
    return;
  }

  var COLOURS = {
    blue: "#0b3d91",
    orange: "#f0883e",
    red: "#c0392b",
    green: "#2e8b57",
    grey: "#adb5bd",
    rule: "#495057",
    inflow: "#198754",
    outflow: "#dc3545"
  };
  var PALETTE = [
    "#0b3d91", "#f0883e", "#2e8b57", "#c0392b", "#6f42c1", "#20c997",
    "#d4a017", "#e83e8c", "#17a2b8", "#6c757d", "#8b4513", "#495057"
  ];
  // The legend's row below the plot, in pixels: the grid keeps this much room under it.
  var LEGEND_ROW = 28;
  var locale = document.documentElement.lang || undefined;
  var charts = [];

  function isPlain(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // A deep copy of base with extra laid over it; lists are replaced, not merged.
  function merge(base, extra) {
    var result = {};
    [base, extra].forEach(function (source) {
      Object.keys(source || {}).forEach(function (key) {
        var value = source[key];
        result[key] = isPlain(value) && isPlain(result[key]) ? merge(result[key], value) : value;
      });
    });
    return result;
  }

  function list(value) {
    if (value === undefined || value === null) {
      return [];
    }
    return Array.isArray(value) ? value : [value];
  }

  // A name at the end of a vertical axis sits above the plot: centred on the axis it would
  // hang over the chart's edge, so it is aligned inwards (left axis left, right axis right).
  function alignAxisNames(axes) {
    list(axes).forEach(function (axis, index) {
      if (!axis.name || (axis.nameLocation && axis.nameLocation !== "end")) {
        return;
      }
      var right = axis.position === "right" || (axis.position === undefined && index > 0);
      axis.nameTextStyle = merge({ align: right ? "right" : "left" }, axis.nameTextStyle);
    });
  }

  function hasEndName(axis) {
    return Boolean(axis.name) && (!axis.nameLocation || axis.nameLocation === "end");
  }

  function hasMiddleName(axis) {
    return Boolean(axis.name) && (axis.nameLocation === "middle" || axis.nameLocation === "center");
  }

  // The option with the shared defaults under it. A page's own grid margins win; where it
  // gives none, the grid leaves room for the axis names and the legend's row.
  function withDefaults(given) {
    var option = merge({ animation: false, color: PALETTE, tooltip: { confine: true } }, given);
    var legend = null;
    if (option.legend) {
      var placed = option.legend.top !== undefined || option.legend.bottom !== undefined;
      option.legend = merge(
        { type: "scroll", left: "center", itemHeight: 10, pageIconSize: 10 },
        placed ? option.legend : merge({ bottom: 0 }, option.legend)
      );
      legend = option.legend.bottom !== undefined ? "bottom" : "top";
    }
    if (option.xAxis !== undefined || option.yAxis !== undefined) {
      var top = (list(option.yAxis).some(hasEndName) ? 40 : 16) + (legend === "top" ? LEGEND_ROW : 0);
      var bottom = 12 + (list(option.xAxis).some(hasMiddleName) ? 24 : 0) +
        (legend === "bottom" ? LEGEND_ROW : 0);
      option.grid = merge({ left: 12, right: 24, top: top, bottom: bottom }, option.grid);
      option.grid.containLabel = true;
      alignAxisNames(option.yAxis);
    }
    return option;
  }

  function draw(target, option) {
    var element = typeof target === "string" ? document.getElementById(target) : target;
    if (!element) {
      return null;
    }
    var height = element.getAttribute("data-chart-height");
    if (height) {
      element.style.height = height + "px";
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(withDefaults(option));
    charts.push(chart);
    return chart;
  }

  // The parsed JSON island with this id, or null when the page has none.
  function island(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function numberFormat(options) {
    try {
      return new Intl.NumberFormat(locale, options);
    } catch (error) {
      return new Intl.NumberFormat(undefined, options);
    }
  }

  var PERCENT = numberFormat({ style: "percent", maximumSignificantDigits: 2 });
  var FORMAT = {
    encode: echarts.format.encodeHTML,
    // 0.004 → "0.4%": two significant digits, in the page's language.
    share: function (value) {
      return PERCENT.format(value);
    },
    // A log10 axis of shares: −3 → "0.1%", not "10^-3".
    logShare: function (value) {
      return PERCENT.format(Math.pow(10, value));
    },
    // A figure that is already in per cent: 42 → "42 %", missing → "—".
    percent: function (value) {
      return value === null || value === undefined ? "—" : value + " %";
    },
    fixed: function (value, digits) {
      return value === null || value === undefined ? "—" : Number(value).toFixed(digits === undefined ? 2 : digits);
    },
    yuan: function (value) {
      return "¥" + Math.round(value).toLocaleString(locale);
    }
  };

  window.BankCharts = {
    COLOURS: COLOURS,
    PALETTE: PALETTE,
    format: FORMAT,
    draw: draw,
    island: island,
    withDefaults: withDefaults
  };

  function drawIslands() {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var option = island(element.getAttribute("data-chart"));
      if (option) {
        draw(element, option);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawIslands);
  } else {
    drawIslands();
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
