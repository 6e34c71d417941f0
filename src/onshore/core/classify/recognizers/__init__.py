"""Built-in recognizers, one module each (see ``onshore.core.classify.registry``)."""
