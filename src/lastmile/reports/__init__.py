"""Reports (issue 10): read-only questions a manager asks of the whole ISP, each
answered by one set-based selector whose rows feed the table, the chart and the CSV."""
