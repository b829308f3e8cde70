"""The support lead's reports: deflection, handoffs by reason and queue, pickup times, customer
satisfaction (CSAT) and agents.

- :mod:`handoff.reports.scope`: what a report covers (days, time zone, day or week buckets, bot, queue,
  whose agent figures) and the checks on it;
- :mod:`handoff.reports.figures`: the figures, counted by the database (a fixed number of queries whatever
  the range holds);
- :mod:`handoff.reports.csat`: CSAT from the widget's ratings (totals, by who resolved, per agent, per
  handoff reason, over time, comments);
- :mod:`handoff.reports.hours`: a queue's business hours as intervals of real time, to count handoffs
  inside and outside them in the database;
- :mod:`handoff.reports.stats`: percentiles (``percentile_cont`` on PostgreSQL, the same interpolation in
  Python elsewhere);
- :mod:`handoff.reports.tables` and :mod:`handoff.reports.charts`: the page's tables (also its CSV files)
  and its inline SVG charts.
"""
