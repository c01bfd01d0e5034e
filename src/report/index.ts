/**
 * report/: a sweep's runs -> the paper's table with our values beside the paper's (Markdown, CSV,
 * LaTeX), Spearman's rho between the columns, and a PNG chart of ours vs the paper.
 */
export { readRunMetrics, quantityOf, QUANTITIES, QUANTITY_LABEL, type Quantity } from './metrics.ts';
export { mean, sampleStd, ranks, spearman } from './stats.ts';
export { buildTable, type TableInput, type TableRowInput, type TableRun, type TableModel, type TableColumn, type TableRow, type TableCell } from './table.ts';
export { renderTable, renderMarkdown, renderCsv, renderLatex, latexEscape, TABLE_FORMATS, DASH, type TableFormat } from './format.ts';
export { renderChart } from './chart.ts';
export { makeTable, tableInputOf, type TableOptions, type TableResult } from './report.ts';
