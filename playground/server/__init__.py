"""The server wing: trainings run in worker processes, the web process's handle on each, the queue of
visitors, and the limits that keep one small server alive.

May import: settings, data, network,
training, once.
"""
