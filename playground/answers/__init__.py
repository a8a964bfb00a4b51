"""Answering a picture: the ready-made model (pretrained/), the calibrated averaged answer in words, and
the explanation of what the network looked at.

May import: settings, data, network, photos.
"""
