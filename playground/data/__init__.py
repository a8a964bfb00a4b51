"""The pictures trained on: Fashion-MNIST read from disk, and the photo-like composites and outlier shapes
drawn from it for the ready-made model.

May import: settings, photos (the composites go through the
photo preprocessing), once.
"""
