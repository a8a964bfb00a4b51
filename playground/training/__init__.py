"""Training one configuration: the engine around model.fit, the input pipeline, the live metrics it
publishes as snapshots, and the stop rules.

May import: settings, data, network.
"""
