"""Fashion-MNIST playground: the Streamlit-free core (data, config, model, training, evaluation,
images, inference, charts) and, under playground/pages, the thin Streamlit pages that use it."""

import os

# Before anything imports TensorFlow: keep its start-up chatter out of the app log and the CLI.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
