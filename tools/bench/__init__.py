"""The benchmark: throughput, latency and memory of the detector (``make bench``)."""
