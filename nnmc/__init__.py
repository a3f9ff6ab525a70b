"""nnmc: Monte Carlo ensembles of randomly initialised networks and the finite-width EFT."""

__version__ = "0.1.0"
