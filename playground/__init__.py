"""Fashion-MNIST playground. `ls playground` shows its parts, each a package whose docstring says what it is for
and what it may import (tests/test_import_graph.py holds them to it):

from the bottom up, settings and photos (they import nothing of ours), data, network, training, server; answers,
lesson and charts use those; pages/ (the Streamlit scripts, their helpers in pages/parts/) sits on top. cli.py is
the command line, once.py makes a value once per process. Only pages/ imports Streamlit.
"""

import os

# Before anything imports TensorFlow: keep its start-up chatter out of the app log and the CLI.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# One TensorFlow thread per training: measured here, these small models train as fast or faster (the CNN
# 6.6 s instead of 10.7 s on 20k images) and a core stays free for the web server and other trainings.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
# One BLAS thread for NumPy: the web process answers with small matrix products, for which OpenBLAS's second
# thread costs CPU without saving time (Try it's answer, bench/latency.py on a quiet machine: CPU p95 14.6 -> 7.6 ms,
# with the explanation 71 -> 39 ms; wall time the same within 1 ms), and many visitors share the server's CPU.
# Works because playground is imported before NumPy (Streamlit loads NumPy lazily).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
