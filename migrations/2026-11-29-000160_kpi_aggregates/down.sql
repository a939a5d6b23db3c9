DROP TABLE kpi_builds;
DROP TABLE kpi_totals;
DROP TABLE kpi_contributions;
