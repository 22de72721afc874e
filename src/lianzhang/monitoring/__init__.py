"""周监测·月调度·季盘点: industrial economy monitoring with the statistics bureau's conventions.

The pure core comes first (no Django): the indicator set (``indicators``), reading the
firm × month panel, the roster and the enterprises from files (``panel``), same-set growth
with its contributions (``growth``) and the cadence's deadlines (``cadence``). The app
(models, services, pages) stands on them.
"""
