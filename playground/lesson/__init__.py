"""The guided lesson: its steps and words, the exercises, the runs it trains, and the records of runs made
ahead of time (recorded/).

May import: settings, network, training, server (the Lesson's live runs).
"""
