"""项目调度·促建·集中开工: major-project tracking from signing to full production.

The pure core (no Django, no storage): ``stages`` (the stage ladder, categories, levels),
``templates`` (node templates per category, as data), ``schedule`` (node deadlines in
working days and their status on a date), ``health`` (超时序进度 and graded health),
``lists`` (三未 lists, 集中开工 batches) and ``bulk`` (the same health for many projects
at once, in Polars).
"""
