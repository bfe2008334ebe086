"""riskcore's built-in metrics, loaded through the riskcore entry-point group."""
