"""The declared case kinds, one module each (see :mod:`onshore.core.cases.registry`)."""
