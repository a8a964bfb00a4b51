"""The server wing: trainings run in worker processes, the web process's handle on each, the queue of
visitors, and the limits that keep one small server alive.

May import: settings, data, network,
training, once, charts (the live chart's points, loaded with the first look).
"""
