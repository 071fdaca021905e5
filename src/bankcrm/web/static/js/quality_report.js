// Draws the survey-wave report from #quality-report-data: gaps per dimension (negative in
// red), expectation against perception on a radar, the SERVQUAL score by wave, the
// importance–performance grid, and for short surveys the monthly score.
(function () {
  "use strict";
  var source = document.getElementById("quality-report-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var charts = [];
  var BLUE = "#0b3d91";
  var ORANGE = "#f0883e";
  var RED = "#c0392b";
  var GREEN = "#2e8b57";
  var GREY = "#adb5bd";

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    // The height comes from a data attribute: the page carries no style attributes.
    element.style.height = (element.getAttribute("data-chart-height") || "300") + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  function fixed(value) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(2);
  }

  function interval(low, high) {
    return low === null || high === null ? "" : " [" + fixed(low) + ", " + fixed(high) + "]";
  }

  var encode = echarts.format.encodeHTML;

  if (data.gaps) {
    var gaps = data.gaps;
    draw("gap-chart", {
      animation: false,
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var index = items[0].dataIndex;
          return encode(gaps.names[index]) + "<br>" + encode(text.gap) + ": " +
            fixed(gaps.values[index]) + encode(interval(gaps.low[index], gaps.high[index]));
        }
      },
      grid: { left: 10, right: 20, top: 20, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: gaps.names, axisLabel: { interval: 0 } },
      yAxis: { type: "value" },
      series: [{
        name: text.gap,
        type: "bar",
        data: gaps.values.map(function (value) {
          var negative = value !== null && value < 0;
          // The figure sits beyond the bar's end: below a gap, above a surplus.
          return {
            value: value,
            itemStyle: { color: negative ? RED : GREEN },
            label: { position: negative ? "bottom" : "top" }
          };
        }),
        label: { show: true, formatter: function (item) { return fixed(item.value); } }
      }]
    });

    var radar = data.radar;
    draw("radar-chart", {
      animation: false,
      color: [BLUE, ORANGE],
      legend: { bottom: 0 },
      tooltip: {},
      radar: {
        indicator: radar.names.map(function (name) {
          return { name: name, min: radar.min, max: radar.max };
        }),
        radius: "65%"
      },
      series: [{
        type: "radar",
        data: [
          { name: text.expectation, value: radar.expectation },
          { name: text.perception, value: radar.perception, areaStyle: { opacity: 0.15 } }
        ]
      }]
    });

    var trend = data.trend;
    draw("trend-chart", {
      animation: false,
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          return encode(trend.titles[index]) + "<br>" + encode(text.servqual) + ": " +
            fixed(trend.values[index]) + encode(interval(trend.low[index], trend.high[index]));
        }
      },
      grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: trend.labels },
      yAxis: { type: "value", name: text.servqual, scale: true, nameTextStyle: { align: "left" } },
      series: [{
        name: text.servqual,
        type: "line",
        data: trend.values.map(function (value, index) {
          return {
            value: value,
            symbolSize: trend.current[index] ? 12 : 7,
            itemStyle: { color: trend.current[index] ? ORANGE : BLUE }
          };
        }),
        lineStyle: { color: BLUE }
      }]
    });

    var grid = data.grid;
    draw("grid-chart", {
      animation: false,
      tooltip: {
        formatter: function (item) {
          var point = grid.points[item.dataIndex];
          return encode(point.name) + "<br>" + encode(text.importance) + ": " +
            fixed(point.importance) + "<br>" + encode(text.performance) + ": " +
            fixed(point.performance) + "<br>" + encode(point.quadrant);
        }
      },
      grid: { left: 10, right: 70, top: 30, bottom: 30, containLabel: true },
      xAxis: {
        type: "value", scale: true, name: text.performance, nameLocation: "middle", nameGap: 26
      },
      yAxis: { type: "value", scale: true, name: text.importance },
      series: [{
        type: "scatter",
        symbolSize: 14,
        data: grid.points.map(function (point) {
          return {
            value: [point.performance, point.importance],
            itemStyle: { color: point.focus ? RED : BLUE }
          };
        }),
        label: {
          show: true,
          position: "right",
          formatter: function (item) { return grid.points[item.dataIndex].name; }
        },
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: GREY },
          label: { show: false },
          data: [{ xAxis: grid.performance_cut }, { yAxis: grid.importance_cut }]
        }
      }]
    });
  }

  if (data.satisfaction) {
    var monthly = data.satisfaction;
    draw("satisfaction-chart", {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 10, right: 20, top: 40, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: monthly.months },
      yAxis: [
        { type: "value", name: text.score },
        { type: "value", name: text.answers, minInterval: 1 }
      ],
      series: [
        { name: text.answers, type: "bar", yAxisIndex: 1, data: monthly.answers, itemStyle: { color: GREY } },
        { name: text.score, type: "line", data: monthly.values, itemStyle: { color: BLUE } }
      ]
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
