// Draws the survey-wave report from #quality-report-data: gaps per dimension (negative in
// red), expectation against perception on a radar, the SERVQUAL score by wave, the
// importance–performance grid, and for short surveys the monthly score.
(function () {
  "use strict";
  var charts = window.BankCharts;
  var data = charts && charts.island("quality-report-data");
  if (!data) {
    return;
  }
  var text = data.text;
  var BLUE = charts.COLOURS.blue;
  var ORANGE = charts.COLOURS.orange;
  var RED = charts.COLOURS.red;
  var GREEN = charts.COLOURS.green;
  var GREY = charts.COLOURS.grey;
  var draw = charts.draw;
  var fixed = charts.format.fixed;
  var encode = charts.format.encode;

  function interval(low, high) {
    return low === null || high === null ? "" : " [" + fixed(low) + ", " + fixed(high) + "]";
  }

  if (data.gaps) {
    var gaps = data.gaps;
    draw("gap-chart", {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var index = items[0].dataIndex;
          return encode(gaps.names[index]) + "<br>" + encode(text.gap) + ": " +
            fixed(gaps.values[index]) + encode(interval(gaps.low[index], gaps.high[index]));
        }
      },
      grid: { top: 24 },
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
      color: [BLUE, ORANGE],
      legend: {},
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
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var index = items[0].dataIndex;
          return encode(trend.titles[index]) + "<br>" + encode(text.servqual) + ": " +
            fixed(trend.values[index]) + encode(interval(trend.low[index], trend.high[index]));
        }
      },
      xAxis: { type: "category", data: trend.labels },
      yAxis: { type: "value", name: text.servqual, scale: true },
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
      tooltip: {
        formatter: function (item) {
          var point = grid.points[item.dataIndex];
          return encode(point.name) + "<br>" + encode(text.importance) + ": " +
            fixed(point.importance) + "<br>" + encode(text.performance) + ": " +
            fixed(point.performance) + "<br>" + encode(point.quadrant);
        }
      },
      grid: { right: 70 },
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
      tooltip: { trigger: "axis" },
      legend: {},
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
})();
