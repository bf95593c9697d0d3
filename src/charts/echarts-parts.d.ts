// ECharts' per-chart and per-component modules, loaded for their side effect (each registers
// itself with echarts/core; render.ts). The package ships no types for these paths.
declare module 'echarts/lib/chart/bar.js';
declare module 'echarts/lib/chart/heatmap.js';
declare module 'echarts/lib/component/grid.js';
declare module 'echarts/lib/component/title.js';
declare module 'echarts/lib/component/legend.js';
declare module 'echarts/lib/component/visualMap.js';
declare module 'echarts/lib/component/graphic.js';
