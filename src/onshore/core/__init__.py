"""The pure core of onshore: no I/O, no clock, no environment, no web or database frameworks."""
