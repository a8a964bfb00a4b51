"""Every chart of the playground: plain data in, a plotly Figure out.

Pure functions with no Streamlit and no TensorFlow (numpy and plotly only), so pages, the CLI and the tests can
all use them. The charts are meant for people learning how a network learns: plain-word axis titles and hover
text, garment names instead of class numbers, one template and one set of colours (charts.style). One module per
thing shown: live training, results, the lesson's demos, image grids.

May import: data, network.
"""

from playground.charts.confusion import clickable_confusion_figure, clicked_cell, confusion_figure
from playground.charts.explain import (
    feature_maps_figure,
    heat_map_figure,
    hidden_activations_figure,
    neuron_pictures_figure,
)
from playground.charts.images import image_grid_figure
from playground.charts.lesson import relu_figure, softmax_figure
from playground.charts.live import live_training_figure, smooth
from playground.charts.results import (
    accuracy_comparison_figure,
    comparison_figure,
    neuron_weights_figure,
    per_class_accuracy_figure,
    probability_figure,
)

__all__ = [
    "accuracy_comparison_figure",
    "clickable_confusion_figure",
    "clicked_cell",
    "comparison_figure",
    "confusion_figure",
    "feature_maps_figure",
    "heat_map_figure",
    "hidden_activations_figure",
    "image_grid_figure",
    "live_training_figure",
    "neuron_pictures_figure",
    "neuron_weights_figure",
    "per_class_accuracy_figure",
    "probability_figure",
    "relu_figure",
    "smooth",
    "softmax_figure",
]
