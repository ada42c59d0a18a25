"""Running the Beam graph: runner choice, counters, conservation checks, memory, progress, the watchdog."""
