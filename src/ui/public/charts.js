// Apache ECharts (served from node_modules at /vendor/), loaded once, on the first page that draws a chart.
let echartsModule = null;

export function loadECharts() {
  echartsModule ??= import('/vendor/echarts.esm.min.js');
  return echartsModule;
}
