"""The network itself: the Keras model built from the settings, the table of layer kinds and their NumPy
maths, the NumPy net that answers in the web process, evaluation, and the .keras files written for a
visitor and read from strangers (parsed in a sandboxed child process, with zip and HDF5 walked before
anything is read).

May import: settings, data.
"""
