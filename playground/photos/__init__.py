"""A visitor's picture into a 28x28 Fashion-MNIST-like image: decoding untrusted files and canvases, finding
the garment in a photo, and the preprocessing.

May import: nothing else in playground.
"""
