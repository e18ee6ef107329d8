"""The time-series ops, one module per concern; ``base`` holds their base class and argument checks."""
